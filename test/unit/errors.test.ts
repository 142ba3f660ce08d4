// Only the allow-listed (expected) errors reach users verbatim; anything else is logged and generic.
import { describe, expect, it, vi } from "vitest";
import { ConflictError, ForbiddenError, GENERIC_ERROR_MESSAGE, NotFoundError, RateLimitedError, UnauthenticatedError, UnavailableError, ValidationError, toUserError } from "@/lib/errors";

describe("toUserError", () => {
  it.each([
    [new ValidationError("Please correct the highlighted fields.", { name: "Enter a name." }), "invalid"],
    [new NotFoundError("No such team."), "not_found"],
    [new ForbiddenError(), "forbidden"],
    [new ConflictError("Team “a1” still has 2 pods."), "conflict"],
    [new UnauthenticatedError(), "unauthenticated"],
    [new RateLimitedError("Try again in 4 seconds."), "rate_limited"],
    [new UnavailableError("Cluster “lab” is unreachable: connection refused."), "unavailable"],
  ])("passes %s through with its code", (error, code) => {
    const log = vi.fn();
    expect(toUserError(error, log)).toEqual({ code, message: error.message, fieldErrors: error.fieldErrors });
    expect(log).not.toHaveBeenCalled();
  });

  it("hides an unexpected error behind a generic message and logs it in full", () => {
    const log = vi.fn();
    const error = new Error('relation "teams" does not exist at 10.0.0.5:5432');
    expect(toUserError(error, log)).toEqual({ code: "internal", message: GENERIC_ERROR_MESSAGE });
    expect(log).toHaveBeenCalledWith("unexpected error", error);
    expect(toUserError("a thrown string", log).message).toBe(GENERIC_ERROR_MESSAGE);
  });
});
