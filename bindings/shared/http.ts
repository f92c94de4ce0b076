/**
 * What the device-facing HTTP endpoints (devices, provisioning) share: the route shape and reading a bounded body.
 * Errors become answers in `problem.ts` (`sendProblem`).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { TooLargeError } from "./problem.ts";

/** A node:http handler for the paths it knows: answers the request and returns true, or returns false untouched. */
export type HttpRoute = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * Reads the body up to `limit` bytes; TooLargeError beyond that. The rest of an oversized body is drained, not
 * kept, so the sender still gets its answer.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
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
