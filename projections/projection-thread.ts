/**
 * The projection runner on a thread of its own, for a hub whose read models are on a Postgres server. The thread
 * has its own event loop and heap: decoding and writing batches of events, and the garbage they leave, no longer
 * hold up the device bindings and GraphQL on the hub's main thread, and the two run on two cores. (Embedded PGlite
 * lives in the main thread, so the hub runs its projections there.)
 *
 * The thread opens its own NATS and Postgres connections. A projection's failure is reported through `onError` and
 * retried by the runner as before; a thread that dies is started again after `restartMs`.
 */
import { Worker } from "node:worker_threads";
import type { RunProjectionsOptions } from "./run-projections.ts";

export type ProjectionThreadData = Omit<RunProjectionsOptions, "onError" | "migrate">;

type PlainError = { name: string; message: string };
export type FromProjectionThread =
  | { type: "ready" }
  | { type: "failed"; error: PlainError }
  | { type: "paused"; projection: string; error: PlainError }
  | { type: "stopped"; error?: PlainError };

export type ProjectionThreadOptions = ProjectionThreadData & {
  /** A projection paused after an error (it is retried), or the thread died (it is started again). */
  onError: (projection: string, err: Error) => void;
  /** Pause before a thread that died is started again, in ms. Default 1000. */
  restartMs?: number;
};

export type ProjectionThread = {
  stop(): Promise<void>;
  /** The thread running now (its id for diagnostics; tests end it to see it started again). */
  worker(): Worker;
};

const WORKER = new URL("./projection-thread.worker.ts", import.meta.url);

const errorOf = (e: PlainError): Error => Object.assign(new Error(e.message), { name: e.name });

/** Starts the thread and resolves once its projections consume; rejects when they cannot start. */
export function startProjectionThread(o: ProjectionThreadOptions): Promise<ProjectionThread> {
  const { onError, restartMs = 1000, ...data } = o;
  let worker: Worker;
  let stopping = false;
  let restart: ReturnType<typeof setTimeout> | undefined;

  let alive = false;
  /** Until the first start succeeded, a failure rejects the start; after it, a thread that ends is started again. */
  let started = false;

  const spawn = (onStarted: (err?: Error) => void) => {
    let ready = false;
    alive = true;
    worker = new Worker(WORKER, { workerData: data satisfies ProjectionThreadData, name: "spokes-projections" });
    worker.on("message", (m: FromProjectionThread) => {
      if (m.type === "ready") {
        ready = true;
        onStarted();
      } else if (m.type === "failed") {
        onStarted(errorOf(m.error));
      } else if (m.type === "paused") {
        onError(m.projection, errorOf(m.error));
      }
    });
    worker.on("error", (err) => (ready ? onError("projections", err) : onStarted(err)));
    worker.on("exit", (code) => {
      alive = false;
      if (stopping || !started) return;
      if (ready)
        onError("projections", new Error(`the projection thread ended (exit code ${code}); starting it again`));
      restart = setTimeout(() => spawn((err) => err && onError("projections", err)), restartMs);
    });
  };

  const stop = async () => {
    stopping = true;
    clearTimeout(restart);
    if (!alive) return;
    const current = worker;
    const ended = new Promise<void>((resolve) => current.once("exit", () => resolve()));
    const stopped = new Promise<FromProjectionThread>((resolve) =>
      current.on("message", (m: FromProjectionThread) => m.type === "stopped" && resolve(m)),
    );
    current.postMessage({ type: "stop" });
    // The runner finishes the batch in hand; a thread that does not answer in time is ended.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), 10_000);
    });
    const answer = await Promise.race([stopped, late]);
    clearTimeout(timer);
    if (answer?.type === "stopped" && answer.error) onError("projections", errorOf(answer.error));
    await current.terminate();
    await ended;
  };

  return new Promise((resolve, reject) => {
    spawn((err) => {
      if (!err) {
        started = true;
        return resolve({ stop, worker: () => worker });
      }
      stopping = true;
      void worker.terminate().finally(() => reject(err));
    });
  });
}
