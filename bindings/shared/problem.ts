/**
 * The one description of an error that device-facing bindings give out: a code, an HTTP-like status, a message
 * meant for the sender and, for invalid input, which fields were wrong. Errors that are not Spokes errors are
 * masked: their text never leaves the process.
 */
import {
  ConflictError,
  ForbiddenError,
  type Issue,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from "../../core/errors.ts";

export type ProblemCode =
  | "VALIDATION"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "TOO_LARGE"
  | "UNAVAILABLE";

export type Problem = { code: ProblemCode; status: number; message: string; issues?: Issue[] };

/** An input larger than the hub accepts. */
export class TooLargeError extends ValidationError {
  override name = "TooLargeError";
}

export function problemOf(err: unknown): Problem {
  if (err instanceof TooLargeError) return { code: "TOO_LARGE", status: 413, message: err.message };
  if (err instanceof ValidationError) {
    return {
      code: "VALIDATION",
      status: 400,
      message: err.message,
      ...(err.issues.length ? { issues: err.issues } : {}),
    };
  }
  if (err instanceof UnauthenticatedError) return { code: "UNAUTHENTICATED", status: 401, message: err.message };
  if (err instanceof ForbiddenError) return { code: "FORBIDDEN", status: 403, message: err.message };
  if (err instanceof NotFoundError) return { code: "NOT_FOUND", status: 404, message: err.message };
  if (err instanceof ConflictError) return { code: "CONFLICT", status: 409, message: err.message };
  if (err instanceof RateLimitedError) return { code: "RATE_LIMITED", status: 429, message: err.message };
  if (err instanceof UnavailableError) return { code: "UNAVAILABLE", status: 503, message: err.message };
  return { code: "UNAVAILABLE", status: 503, message: "the hub could not handle this now; try again" };
}

/** Whether the sender should try again later (nothing was stored) rather than fix its input. */
export const isTransient = (err: unknown): boolean => problemOf(err).status === 503;
