/**
 * Replay's writer thread: runs `copyIn` on a Postgres connection of its own, on its own event loop. The replay's main
 * thread reads and decodes the stream; with the COPYs here, a batch's write no longer waits for the main thread to
 * finish decoding the next ones before its protocol round trips are answered, so NATS, the decoding and Postgres keep
 * both cores busy. (Embedded PGlite lives in the main thread, so replay writes there directly.)
 */
import { Worker } from "node:worker_threads";
import { UnavailableError } from "../../core/errors.ts";
import type { CopyRunner } from "../projection.ts";
import type { CopyPart } from "./database.ts";

export type CopyRequest = { id: number; before: readonly string[]; parts: readonly CopyPart[] };
/** `error` keeps Postgres's SQLSTATE as `code`, so bad data is still told apart from a lost connection. */
export type CopyReply =
  | { id: number; ok: boolean }
  | { id: number; error: { name: string; message: string; code?: string } }
  | { id: 0; ready: true };

export type CopyThread = { copy: CopyRunner; close(): Promise<void> };

const WORKER = new URL("./copy-thread.worker.ts", import.meta.url);

/** Starts the thread and resolves once its connection is open. */
export function startCopyThread(url: string): Promise<CopyThread> {
  const worker = new Worker(WORKER, { workerData: { url }, name: "spokes-replay-writer" });
  const waiting = new Map<number, { resolve(ok: boolean): void; reject(err: unknown): void }>();
  let next = 0;
  let gone: Error | undefined;
  let exited = false;
  const fail = (err: Error) => {
    gone ??= err;
    for (const w of waiting.values()) w.reject(gone);
    waiting.clear();
  };
  return new Promise((resolve, reject) => {
    worker.on("error", (err) => {
      reject(err);
      fail(new UnavailableError("the replay's writer thread failed", { cause: err }));
    });
    worker.on("exit", () => {
      exited = true;
      reject(new UnavailableError("the replay's writer thread ended"));
      fail(new UnavailableError("the replay's writer thread ended"));
    });
    worker.on("message", (m: CopyReply) => {
      if ("ready" in m) {
        resolve({
          copy(before, parts) {
            if (gone) return Promise.reject(gone);
            const id = ++next;
            return new Promise<boolean>((ok, no) => {
              waiting.set(id, { resolve: ok, reject: no });
              // Bytes that fill a buffer of their own move to the thread instead of being copied.
              const movable = parts.flatMap((p) =>
                typeof p.text !== "string" && p.text.byteOffset === 0 && p.text.byteLength === p.text.buffer.byteLength
                  ? [p.text.buffer as ArrayBuffer]
                  : [],
              );
              worker.postMessage({ id, before, parts } satisfies CopyRequest, movable);
            });
          },
          async close() {
            if (exited) return;
            const ended = new Promise<void>((done) => worker.once("exit", () => done()));
            worker.postMessage({ close: true });
            const timer = setTimeout(() => void worker.terminate(), 5000);
            await ended;
            clearTimeout(timer);
          },
        });
        return;
      }
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      if ("ok" in m) w?.resolve(m.ok);
      else w?.reject(Object.assign(new Error(m.error.message), m.error));
    });
  });
}
