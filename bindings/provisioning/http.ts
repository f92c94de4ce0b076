/**
 * The small HTTP toolkit of the provisioning endpoints: reading a bounded JSON body, answering JSON, and the one
 * mapping from the hub's errors to HTTP status codes and `{ error: { code, message, issues? } }` bodies.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";

/** A node:http handler for the paths it knows; returns false (without touching `res`) for anything else. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

/** The body was larger than the endpoint accepts. */
export class TooLargeError extends Error {
  override name = "TooLargeError";
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

type Problem = { status: number; code: string; message: string; issues?: unknown[]; headers?: Record<string, string> };

/** The one place where errors become HTTP answers. Unexpected errors are logged and masked. */
export function problemOf(err: unknown, logger?: Logger): Problem {
  if (err instanceof ValidationError)
    return { status: 400, code: "VALIDATION", message: err.message, issues: err.issues };
  if (err instanceof UnauthenticatedError) return { status: 401, code: "UNAUTHENTICATED", message: err.message };
  if (err instanceof ForbiddenError) return { status: 403, code: "FORBIDDEN", message: err.message };
  if (err instanceof NotFoundError) return { status: 404, code: "NOT_FOUND", message: err.message };
  if (err instanceof ConflictError) return { status: 409, code: "CONFLICT", message: err.message };
  if (err instanceof TooLargeError) return { status: 413, code: "TOO_LARGE", message: err.message };
  if (err instanceof RateLimitedError) {
    const seconds = Math.max(1, Math.ceil(err.retryAfterMs / 1000));
    return { status: 429, code: "RATE_LIMITED", message: err.message, headers: { "retry-after": String(seconds) } };
  }
  if (err instanceof UnavailableError) return { status: 503, code: "UNAVAILABLE", message: err.message };
  logger?.error("provisioning endpoint failed", { err });
  return { status: 503, code: "UNAVAILABLE", message: "the hub could not handle this now; try again" };
}

export function sendProblem(res: ServerResponse, err: unknown, logger?: Logger): void {
  const p = problemOf(err, logger);
  sendJson(
    res,
    p.status,
    { error: { code: p.code, message: p.message, ...(p.issues ? { issues: p.issues } : {}) } },
    p.headers,
  );
}

/** Reads the body up to `limit` bytes; TooLargeError (after draining nothing more) beyond that. */
export function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) {
      reject(new TooLargeError(`the body is ${declared} bytes; the limit is ${limit}`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new TooLargeError(`the body is larger than the limit of ${limit} bytes`));
        req.removeAllListeners("data");
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Parses a JSON body; ValidationError naming the problem otherwise. */
export function parseJson(bytes: Uint8Array): unknown {
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") throw new ValidationError("the body is empty; send a JSON object");
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("the body is not valid JSON");
  }
}

/** The client's address, for rate limits and records. */
export const clientAddress = (req: IncomingMessage): string => req.socket.remoteAddress ?? "unknown";
