// The OpenAPI document: a valid 3.1 shape (every path parameter declared, every reference
// resolvable, operation ids unique), and complete — every route handler under app/api is in it
// with each HTTP method it exports, and nothing is documented that is not served.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/api/openapi/document";
import { NOT_DOCUMENTED, OPERATIONS } from "@/lib/api/openapi/operations";
import { VM_DISK_UPLOAD_ROUTE } from "@/lib/api/vm-disk-upload";

type Json = Record<string, unknown>;
const document = openApiDocument("https://cloud.example.test") as { openapi: string; paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> } };

/** `app/api/teams/[teamId]/pods/route.ts` → `/api/teams/{teamId}/pods`, with the methods it exports. */
function servedRoutes(): { path: string; methods: string[] }[] {
  const root = path.resolve("app/api");
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith("route.ts"));
  return files.map((file) => {
    const source = readFileSync(path.join(root, file), "utf8");
    const methods = [...source.matchAll(/export (?:async function|const) (GET|POST|PUT|PATCH|DELETE)\b|as (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => (m[1] ?? m[2])!.toLowerCase());
    const segments = path.dirname(file).split(path.sep).map((s) => s.replace(/^\[(?:\.\.\.)?(\w+)\]$/, "{$1}"));
    return { path: `/api/${segments.join("/")}`, methods: [...new Set(methods)].sort() };
  });
}

/**
 * Routes server.ts answers itself, before Next.js: each with what server.ts must call for it (its
 * source is read, so a route it stopped serving is not counted as served).
 */
function servedByServerTs(): { path: string; methods: string[] }[] {
  const server = readFileSync(path.resolve("server.ts"), "utf8");
  const routes = [
    { path: "/metrics", methods: ["get"], calls: "serveMetrics(" },
    { path: VM_DISK_UPLOAD_ROUTE.path, methods: VM_DISK_UPLOAD_ROUTE.methods.map((m) => m.toLowerCase()).sort(), calls: "serveVmDiskUpload(" },
  ];
  return routes.filter((r) => server.includes(r.calls)).map(({ path, methods }) => ({ path, methods }));
}

/** Every `$ref` in a JSON value. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe("the OpenAPI document", () => {
  it("is OpenAPI 3.1 with unique operation ids, declared path parameters and answers for every operation", () => {
    expect(document.openapi).toBe("3.1.0");
    const ids = OPERATIONS.map((op) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [template, operations] of Object.entries(document.paths)) {
      const inTemplate = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const [method, operation] of Object.entries(operations)) {
        const declared = (operation.parameters as { name: string; in: string; required: boolean }[]).filter((p) => p.in === "path");
        expect(declared.map((p) => p.name).sort(), `${method} ${template}`).toEqual(inTemplate);
        expect(declared.every((p) => p.required)).toBe(true);
        expect(Object.keys(operation.responses as Json).length).toBeGreaterThan(0);
        for (const requirement of operation.security as Json[]) for (const scheme of Object.keys(requirement)) expect(document.components.securitySchemes).toHaveProperty(scheme);
      }
    }
  });

  it("resolves every reference to a named schema", () => {
    const all = refs(document);
    expect(all.length).toBeGreaterThan(5);
    for (const ref of all) {
      expect(ref).toMatch(/^#\/components\/schemas\/\w+$/);
      expect(document.components.schemas).toHaveProperty(ref.split("/").at(-1)!);
    }
  });

  it("describes every route handler under app/api, method for method, and nothing that is not served", () => {
    const served = servedRoutes().filter((r) => !NOT_DOCUMENTED.includes(r.path));
    expect(served.length).toBeGreaterThan(5);
    const byServerTs = servedByServerTs();
    expect(byServerTs.map((r) => r.path)).toEqual(["/metrics", VM_DISK_UPLOAD_ROUTE.path]);
    for (const route of [...served, ...byServerTs.filter((r) => r.path !== "/metrics")]) {
      expect(document.paths, `${route.path} is served but not documented (lib/api/openapi/operations.ts)`).toHaveProperty([route.path]);
      expect(Object.keys(document.paths[route.path]!).sort(), route.path).toEqual(route.methods);
    }
    // Documented paths are served: by a route handler, or by server.ts itself (/metrics, disk uploads).
    const servedPaths = new Set([...served.map((r) => r.path), ...byServerTs.map((r) => r.path)]);
    for (const documented of Object.keys(document.paths)) expect(servedPaths, documented).toContain(documented);
  });

  it("shows the answers' shapes: a pod list names its fields and their types", () => {
    const pod = document.components.schemas.SshPod as { properties: Record<string, Json>; required: string[] };
    expect(pod.required).toEqual(expect.arrayContaining(["id", "teamId", "name", "runtime", "lifecycle", "expiresAt"]));
    expect(pod.properties.cpuMillicores).toMatchObject({ type: "integer" });
    expect((pod.properties.runtime as { properties: Record<string, Json> }).properties.status).toMatchObject({ enum: expect.arrayContaining(["Running", "Missing"]) });
  });
});
