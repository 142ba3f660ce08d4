// Nested clusters' workload rows: the stored spec read back with its type, and lookups.
import { and, eq } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { isUuid } from "@/lib/db/ids";
import { workloads } from "@/lib/db/schema";
import { NotFoundError } from "@/lib/errors";
import type { NestedClusterSpec } from "@/lib/nested/types";
import type { WorkloadRow } from "@/lib/workloads/lifecycle";

export type NestedClusterRow = Omit<WorkloadRow, "spec"> & { spec: NestedClusterSpec };

/** The row with its spec typed (the spec was written by this domain). */
export function asNestedRow(row: WorkloadRow): NestedClusterRow {
  return row as unknown as NestedClusterRow;
}

/** The nested cluster `id`, or a not-found error. */
export async function requireNestedRow(db: Db, id: string): Promise<NestedClusterRow> {
  const [row] = isUuid(id) ? await db.select().from(workloads).where(and(eq(workloads.id, id), eq(workloads.kind, "nested-cluster"))) : [];
  if (!row) throw new NotFoundError("No such nested cluster.");
  return asNestedRow(row);
}
