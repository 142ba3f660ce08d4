// The built-in local cluster's start, live (Server-Sent Events), for platform admins.
import { streamLocalClusterStatus } from "@/lib/local-cluster/status-stream";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export const GET = streamLocalClusterStatus;
