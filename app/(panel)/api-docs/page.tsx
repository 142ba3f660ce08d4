import type { Metadata } from "next";
import { openApiDocument } from "@/lib/api/openapi/document";
import { OPERATIONS, type Auth } from "@/lib/api/openapi/operations";
import { requireUserForPage } from "@/lib/auth/session";
import { getEnv } from "@/lib/env";

export const metadata: Metadata = { title: "API reference" };

const AUTH_TEXT: Record<Auth, string> = {
  none: "no sign-in",
  session: "signed-in browser",
  "session-or-token": "signed-in browser or personal token",
  "metrics-token": "metrics token",
};

// The HTTP API, rendered from the same OpenAPI document /api/openapi.json serves.
export default async function ApiDocsPage() {
  await requireUserForPage();
  const document = openApiDocument(getEnv().publicUrl) as { components: { schemas: Record<string, unknown> } };
  const tags = [...new Set(OPERATIONS.map((op) => op.tag))];
  return (
    <>
      <div className="page-head">
        <div>
          <h1>API reference</h1>
          <p className="muted">
            Send a personal token (Profile → API tokens) as <code>Authorization: Bearer &lt;token&gt;</code>. The machine-readable document:{" "}
            <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).
          </p>
        </div>
      </div>
      {tags.map((tag) => (
        <section className="card" key={tag}>
          <h2>{tag}</h2>
          <table className="table">
            <thead>
              <tr>
                <th>Method and path</th>
                <th>What</th>
                <th>Who</th>
                <th>Answers</th>
              </tr>
            </thead>
            <tbody>
              {OPERATIONS.filter((op) => op.tag === tag).map((op) => (
                <tr key={op.operationId} id={op.operationId}>
                  <td>
                    <code>
                      {op.method.toUpperCase()} {op.path}
                    </code>
                    {op.query && Object.keys(op.query.shape).length > 0 && <div className="muted">query: {Object.keys(op.query.shape).join(", ")}</div>}
                  </td>
                  <td>
                    {op.summary}
                    {op.description && <div className="muted">{op.description}</div>}
                  </td>
                  <td>{AUTH_TEXT[op.auth]}</td>
                  <td>
                    {Object.entries(op.answers).map(([status, answer]) => (
                      <div key={status}>
                        <code>{status}</code> {answer.description}
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
      <section className="card">
        <h2>Schemas</h2>
        {Object.entries(document.components.schemas).map(([name, schema]) => (
          <details key={name} id={`schema-${name}`}>
            <summary>
              <code>{name}</code>
            </summary>
            <pre>{JSON.stringify(schema, null, 2)}</pre>
          </details>
        ))}
      </section>
    </>
  );
}
