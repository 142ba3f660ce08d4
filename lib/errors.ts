// The error vocabulary of the domain layer. Services throw these; the action wrapper
// and route handlers map them to user-facing text with `toUserError`. Anything that is
// not an AppError is unexpected: it is logged with detail and shown as a generic message.
import { moduleLogger } from "@/lib/observe/log";

/** Base class of expected errors: their message is safe to show to the user verbatim. */
export abstract class AppError extends Error {
  abstract readonly code: "invalid" | "not_found" | "forbidden" | "conflict" | "unauthenticated" | "rate_limited" | "unavailable";
  /** Field-level messages for forms, keyed by input field name. */
  readonly fieldErrors?: Record<string, string>;

  constructor(message: string, fieldErrors?: Record<string, string>) {
    super(message);
    this.name = new.target.name;
    this.fieldErrors = fieldErrors;
  }
}

/** Input failed validation; nothing was changed. */
export class ValidationError extends AppError {
  readonly code = "invalid" as const;
}

/** The resource does not exist — or the caller may not know it exists. */
export class NotFoundError extends AppError {
  readonly code = "not_found" as const;
  constructor(message = "Not found.") {
    super(message);
  }
}

/** The caller is known but lacks the permission. */
export class ForbiddenError extends AppError {
  readonly code = "forbidden" as const;
  constructor(message = "You do not have permission to do that.") {
    super(message);
  }
}

/** The request conflicts with the current state (duplicate name, resources remain, …). */
export class ConflictError extends AppError {
  readonly code = "conflict" as const;
}

/** No valid session or token. */
export class UnauthenticatedError extends AppError {
  readonly code = "unauthenticated" as const;
  constructor(message = "Please sign in.") {
    super(message);
  }
}

/** Too many attempts; try again later. */
export class RateLimitedError extends AppError {
  readonly code = "rate_limited" as const;
}

/** A system the panel depends on (a cluster's API server) cannot be reached or failed; nothing was changed by us. */
export class UnavailableError extends AppError {
  readonly code = "unavailable" as const;
}

/** What a user may see of an error. */
export interface UserError {
  code: AppError["code"] | "internal";
  message: string;
  fieldErrors?: Record<string, string>;
}

export const GENERIC_ERROR_MESSAGE = "Something went wrong. The error was logged; please try again.";

/** Maps any thrown value to what the user may see; unexpected errors are logged in full. */
export function toUserError(error: unknown, log: (msg: string, err: unknown) => void = defaultLog): UserError {
  if (error instanceof AppError) {
    return { code: error.code, message: error.message, fieldErrors: error.fieldErrors };
  }
  log("unexpected error", error);
  return { code: "internal", message: GENERIC_ERROR_MESSAGE };
}

function defaultLog(msg: string, err: unknown) {
  moduleLogger("errors").error({ err }, msg);
}
