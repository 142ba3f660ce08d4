// Reading a REST request's JSON body: only `application/json`, at most `maxBytes` (counted while
// reading, whatever Content-Length claims), parsed by JSON.parse into plain data that the
// route's zod schema then vets. Every refusal is a plain ValidationError.
import { ValidationError } from "@/lib/errors";

/** The body of `request` as JSON (an empty body is `{}`); ValidationError when it is not JSON, too large or not an object. */
export async function readJsonBody(request: Request, maxBytes = 128 * 1024): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type");
  if (type !== null && !/^application\/json\s*(;|$)/i.test(type)) throw new ValidationError("Send the request body as JSON (Content-Type: application/json).");
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new ValidationError(`The request body is larger than ${Math.round(maxBytes / 1024)} KiB.`);
      }
      chunks.push(value);
    }
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
  if (text.trim() === "") return {};
  // A body must say it is JSON: a browser cannot send that type to another site without asking
  // first (CORS preflight), so a page elsewhere cannot post here with the user's cookie.
  if (type === null) throw new ValidationError("Send the request body as JSON (Content-Type: application/json).");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError("The request body is not valid JSON.");
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new ValidationError("The request body must be a JSON object.");
  return value as Record<string, unknown>;
}
