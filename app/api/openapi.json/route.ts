// GET /api/openapi.json: the OpenAPI 3.1 document of the panel's HTTP API (public: it describes
// the API, not anyone's data).
import { openApiDocument } from "@/lib/api/openapi/document";
import { getEnv } from "@/lib/env";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  return Response.json(openApiDocument(getEnv().publicUrl), { headers: { "Cache-Control": "no-cache" } });
}
