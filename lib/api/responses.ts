// JSON answers of REST route handlers: data as is, errors in the panel's vocabulary with the
// matching HTTP status (unexpected errors are logged and answered with a generic message).
import { toUserError, type UserError } from "@/lib/errors";

const STATUS: Record<UserError["code"], number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

/** A 200 JSON response that no cache keeps (answers depend on who asks). */
export function jsonResponse(data: unknown, status = 200): Response {
  return Response.json(data, { status, headers: { "Cache-Control": "no-store" } });
}

/** The JSON error response for anything thrown by a handler. */
export function errorResponse(error: unknown): Response {
  const { status, headers, body } = errorAnswer(error);
  return Response.json(body, { status, headers });
}

/** The status, headers and body of the error answer (for errorResponse and handlers that write Node responses). */
export function errorAnswer(error: unknown): { status: number; headers: Record<string, string>; body: { error: UserError } } {
  const userError = toUserError(error);
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if (userError.code === "unauthenticated") headers["WWW-Authenticate"] = 'Bearer realm="minicloud"';
  return { status: STATUS[userError.code], headers, body: { error: userError } };
}
