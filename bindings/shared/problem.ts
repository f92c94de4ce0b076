/**
 * The one description of an error that device-facing bindings give out: a code, an HTTP-like status, a message
 * meant for the sender and, for invalid input, which fields were wrong. Errors that are not Spokes errors are
 * masked: their text never leaves the process. `sendProblem` is the one place where errors become HTTP answers.
 */
import type { ServerResponse } from "node:http";
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

/** Whole seconds a rate-limited sender should wait (at least 1); undefined for any other error. */
export function retryAfterSeconds(err: unknown): number | undefined {
  return err instanceof RateLimitedError ? Math.max(1, Math.ceil(err.retryAfterMs / 1000)) : undefined;
}

/**
 * Answers an HTTP request with the problem `err` is: its status, `Retry-After` when rate limited, and the JSON body
 * `{ "error": { code, message, issues? } }`. `headersFor` adds an endpoint's own headers. Returns the problem (for
 * the caller's log); does nothing to a response already under way.
 */
export function sendProblem(
  res: ServerResponse,
  err: unknown,
  headersFor: (p: Problem) => Record<string, string> = () => ({}),
): Problem {
  const p = problemOf(err);
  if (res.headersSent) return p;
  const retryAfter = retryAfterSeconds(err);
  res
    .writeHead(p.status, {
      "content-type": "application/json",
      ...headersFor(p),
      ...(retryAfter === undefined ? {} : { "retry-after": String(retryAfter) }),
    })
    .end(JSON.stringify({ error: { code: p.code, message: p.message, ...(p.issues ? { issues: p.issues } : {}) } }));
  return p;
}
