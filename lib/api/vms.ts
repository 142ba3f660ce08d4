// The REST API of a team's VMs, for personal API tokens (and the browser's live list and VM
// page, with the session cookie):
//
//   GET    /api/teams/<team>/vms[?mine=1]        → 200 { vms: VmView[] }
//   POST   /api/teams/<team>/vms                  → 201 { vm: { id, name, state: "ready" } }, or 202 with state "creating"
//   GET    /api/teams/<team>/vms/<vm>             → 200 { vm: VmDetail }
//   POST   /api/teams/<team>/vms/<vm>/power       → 202 { operation }   body { "operation": "start" | "stop" | "force-stop" | "restart" | "pause" | "unpause" }
//   DELETE /api/teams/<team>/vms/<vm>             → 200 { state: "deleted" }, or 202 { state: "deleting" }
//
// Every call is authorized on the team of the path (from the database, never the body), and a
// VM is looked up within that team, so another team's VM is "not found" whatever the path
// says; a team the caller may not see is answered exactly like one that does not exist (404),
// the refusal audited. Mutations take the same path as the panel's forms (executeAction: zod,
// authorize, service), the same services and the same audit rows (vm.create, vm.<operation>,
// vm.delete).
import { z } from "zod";
import { executeAction, type ActionDefinition } from "@/lib/actions/define-action";
import { teamScopeOf } from "@/lib/actions/scopes";
import { readJsonBody } from "@/lib/api/json-body";
import { callerFromRequest } from "@/lib/api/request-caller";
import { errorResponse, jsonResponse } from "@/lib/api/responses";
import { teamReader } from "@/lib/api/team-reader";
import type { Db } from "@/lib/db/client";
import { NotFoundError } from "@/lib/errors";
import { VM_OPERATIONS, type VmOperation } from "@/lib/vms/choices";
import { getVm, listTeamVms, type VmSource } from "@/lib/vms/queries";
import { VM_NOT_FOUND } from "@/lib/vms/rows";
import { createVmInputSchema } from "@/lib/vms/schemas";
import { createVm, deleteVm, operateVm, type CreatedVm } from "@/lib/vms/service";

const teamIdField = z.uuid({ error: "No such team." });
const vmIdField = z.uuid({ error: "No such VM." });

/** The operations as REST names them (kebab-case); the panel's own names are accepted too. */
export const REST_VM_OPERATIONS: Record<string, VmOperation> = {
  ...Object.fromEntries(VM_OPERATIONS.map((operation) => [operation, operation])),
  "force-stop": "forceStop",
};

/** GET /api/teams/<team>/vms[?mine=1]: `{ vms: VmView[] }`. */
export async function listTeamVmsResponse(request: Request, teamId: string, db: Db, vmSource?: VmSource): Promise<Response> {
  try {
    const reader = await teamReader(request, teamId, db, "vm.list");
    const mine = new URL(request.url).searchParams.get("mine");
    const vms = await listTeamVms(db, reader.teamId, { mine: mine === "1" || mine === "true" ? reader.actor.userId : undefined, vmSource });
    return jsonResponse({ vms });
  } catch (error) {
    return errorResponse(error);
  }
}

/** GET /api/teams/<team>/vms/<vm>: `{ vm: VmDetail }`. */
export async function vmResponse(request: Request, teamId: string, vmId: string, db: Db): Promise<Response> {
  try {
    const reader = await teamReader(request, teamId, db, "vm.get");
    if (!vmIdField.safeParse(vmId).success) throw new NotFoundError(VM_NOT_FOUND);
    const vm = await getVm(db, reader.teamId, vmId);
    return jsonResponse({ vm });
  } catch (error) {
    return errorResponse(error);
  }
}

const createDefinition: ActionDefinition<typeof createVmInputSchema, CreatedVm> = {
  name: "vm.create",
  input: createVmInputSchema,
  permission: "workloads:create",
  scope: teamScopeOf,
  run: ({ db, actor, input }) => createVm(db, actor, input),
};

/** POST /api/teams/<team>/vms with the create form's fields as JSON (`clusterId`, `name`, `image`, `runStrategy`, `size` or `cpuCores` + `memoryMib`, `meshSidecar`, `cloudInit`). */
export async function createVmResponse(request: Request, teamId: string, db: Db): Promise<Response> {
  try {
    const caller = await callerFromRequest(request, db);
    const body = await readJsonBody(request);
    const { result } = await executeAction(createDefinition, caller, { ...body, teamId }, db);
    return jsonResponse({ vm: result }, result.state === "ready" ? 201 : 202);
  } catch (error) {
    return errorResponse(error);
  }
}

const powerInput = z.object({
  teamId: teamIdField,
  workloadId: vmIdField,
  operation: z.string({ error: "Name an operation: start, stop, force-stop, restart, pause or unpause." }).transform((value, ctx) => {
    const operation = Object.hasOwn(REST_VM_OPERATIONS, value) ? REST_VM_OPERATIONS[value] : undefined;
    if (!operation) {
      ctx.addIssue({ code: "custom", message: "No such operation: use start, stop, force-stop, restart, pause or unpause." });
      return z.NEVER;
    }
    return operation;
  }),
});

const powerDefinition: ActionDefinition<typeof powerInput, { operation: VmOperation }> = {
  name: "vm.operate",
  input: powerInput,
  permission: "workloads:operate",
  scope: teamScopeOf,
  run: ({ db, actor, input }) => operateVm(db, actor, input),
};

/** POST /api/teams/<team>/vms/<vm>/power with `{ "operation": … }`: `{ operation }` (202: KubeVirt acts on it next). */
export async function powerVmResponse(request: Request, teamId: string, vmId: string, db: Db): Promise<Response> {
  try {
    const caller = await callerFromRequest(request, db);
    const body = await readJsonBody(request, 4096);
    const { result } = await executeAction(powerDefinition, caller, { operation: body.operation, teamId, workloadId: vmId }, db);
    return jsonResponse(result, 202);
  } catch (error) {
    return errorResponse(error);
  }
}

const deleteInput = z.object({ teamId: teamIdField, workloadId: vmIdField });

const deleteDefinition: ActionDefinition<typeof deleteInput, "deleted" | "deleting"> = {
  name: "vm.delete",
  input: deleteInput,
  permission: "workloads:delete",
  scope: teamScopeOf,
  run: ({ db, actor, input }) => deleteVm(db, actor, input),
};

/** DELETE /api/teams/<team>/vms/<vm>: `{ state: "deleted" }`, or 202 `{ state: "deleting" }` when the cluster did not answer (the panel finishes it). */
export async function deleteVmResponse(request: Request, teamId: string, vmId: string, db: Db): Promise<Response> {
  try {
    const caller = await callerFromRequest(request, db);
    const { result } = await executeAction(deleteDefinition, caller, { teamId, workloadId: vmId }, db);
    return jsonResponse({ state: result }, result === "deleted" ? 200 : 202);
  } catch (error) {
    return errorResponse(error);
  }
}

/** The REST definitions, for the authorization tests. */
export const VM_REST_DEFINITIONS = { create: createDefinition, power: powerDefinition, delete: deleteDefinition } as const;
