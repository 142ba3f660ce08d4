// The OpenAPI 3.1 document of the panel's HTTP API, made from OPERATIONS (JSON Schemas from the
// zod schemas; named schemas — `.meta({ id })` — once under components).
import { z } from "zod";
import { OPERATIONS, type Auth, type Operation } from "@/lib/api/openapi/operations";

type JsonObject = Record<string, unknown>;

const SECURITY: Record<Auth, JsonObject[]> = {
  none: [],
  session: [{ session: [] }],
  "session-or-token": [{ session: [] }, { personalToken: [] }],
  "metrics-token": [{ metricsToken: [] }],
};

function parameters(op: Operation): JsonObject[] {
  const out: JsonObject[] = [];
  for (const [where, shape] of [["path", op.path_params], ["query", op.query]] as const) {
    if (!shape) continue;
    for (const [name, schema] of Object.entries(shape.shape as Record<string, z.ZodType>)) {
      const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonObject;
      const { description, ...rest } = json;
      delete rest.$schema;
      out.push({ name, in: where, required: where === "path" || !schema.safeParse(undefined).success, ...(description ? { description } : {}), schema: rest });
    }
  }
  return out;
}

/** The component name of a schema the API answers with or takes (`.meta({ id })`). */
function schemaRef(schema: z.ZodType, where: string): JsonObject {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error(`${where}: its schema has no name; give it .meta({ id })`);
  return { $ref: `#/components/schemas/${id}` };
}

/** Builds the document; `serverUrl` is where the panel is reached. */
export function openApiDocument(serverUrl: string): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const op of OPERATIONS) {
    const responses: JsonObject = {};
    for (const [status, answer] of Object.entries(op.answers)) {
      const content = answer.json
        ? { "application/json": { schema: schemaRef(answer.json, `${op.operationId} ${status}`) } }
        : answer.media
          ? { [answer.media.type]: { schema: { type: "string", description: answer.media.description } } }
          : undefined;
      responses[status] = { description: answer.description, ...(content ? { content } : {}) };
    }
    const operation: JsonObject = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      security: SECURITY[op.auth],
      parameters: parameters(op),
      ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: schemaRef(op.body, `${op.operationId} body`) } } } } : {}),
      responses,
    };
    paths[op.path] = { ...paths[op.path], [op.method]: operation };
  }
  // Every named schema, once; the ones inside others are referenced, not repeated.
  const { schemas } = z.toJSONSchema(z.globalRegistry, { uri: (id) => `#/components/schemas/${id}`, unrepresentable: "any" }) as { schemas: Record<string, JsonObject> };
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "minicloud",
      version: "0.1.0",
      description: "The panel's HTTP API. Personal tokens (Profile → API tokens) go in `Authorization: Bearer <token>`; the browser uses its session cookie.",
    },
    servers: [{ url: serverUrl }],
    tags: [...new Set(OPERATIONS.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "The browser's session." },
        personalToken: { type: "http", scheme: "bearer", description: "A personal API token." },
        metricsToken: { type: "http", scheme: "bearer", description: "MINICLOUD_METRICS_TOKEN." },
      },
    },
  };
}
