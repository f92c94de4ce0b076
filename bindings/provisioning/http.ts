/**
 * The small HTTP toolkit of the provisioning endpoints: answering JSON and answering errors
 * through the shared mapping (bindings/shared/problem.ts) as `{ error: { code, message, issues? } }` bodies.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { SpokesError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { sendProblem as sendSharedProblem } from "../shared/problem.ts";

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

/** Answers an error (never cached). Unexpected errors are logged and masked. */
export function sendProblem(res: ServerResponse, err: unknown, logger?: Logger): void {
  if (!(err instanceof SpokesError)) logger?.error("provisioning endpoint failed", { err });
  sendSharedProblem(res, err, () => ({ "cache-control": "no-store" }));
}

/** The client's address, for rate limits and records. */
export const clientAddress = (req: IncomingMessage): string => req.socket.remoteAddress ?? "unknown";
