/** The body of replay's writer thread (see copy-thread.ts): COPYs what it is sent, one request at a time. */
import { parentPort, workerData } from "node:worker_threads";
import postgres from "postgres";
import type { CopyReply, CopyRequest } from "./copy-thread.ts";
import { copyInPostgres, noDelaySockets } from "./postgres-copy.ts";

const port = parentPort;
if (port === null) throw new Error("copy-thread.worker.ts runs as a worker thread only");
// The same connection settings as `openDatabase`, one connection.
const sql = postgres((workerData as { url: string }).url, {
  max: 1,
  onnotice: () => {},
  socket: noDelaySockets(),
} as postgres.Options<Record<string, never>>);
let queue: Promise<void> = Promise.resolve();
port.on("message", (r: CopyRequest | { close: true }) => {
  if ("close" in r) {
    queue.then(() => sql.end({ timeout: 5 })).finally(() => port.close());
    return;
  }
  queue = queue.then(async () => {
    let reply: CopyReply;
    try {
      await copyInPostgres(sql, r.before, r.parts);
      reply = { id: r.id, ok: true };
    } catch (err) {
      const e = err as { name?: string; message?: string; code?: unknown };
      const code = typeof e?.code === "string" ? e.code : undefined;
      reply = {
        id: r.id,
        error: { name: e?.name ?? "Error", message: String(e?.message ?? err), ...(code ? { code } : {}) },
      };
    }
    port.postMessage(reply);
  });
});
port.postMessage({ id: 0, ready: true } satisfies CopyReply);
