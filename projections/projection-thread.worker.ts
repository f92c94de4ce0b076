/** The body of the hub's projection thread (see projection-thread.ts): runs the projections, reports to the hub. */
import { parentPort, workerData } from "node:worker_threads";
import type { FromProjectionThread, ProjectionThreadData } from "./projection-thread.ts";
import { runProjections } from "./run-projections.ts";

const port = parentPort;
if (port === null) throw new Error("projection-thread.worker.ts runs as a worker thread only");
const send = (m: FromProjectionThread) => port.postMessage(m);
/** The error's name and message, with the messages of its causes (drizzle wraps Postgres's reason in one). */
const plain = (err: unknown) => {
  const messages: string[] = [];
  for (let e: unknown = err; e !== undefined && messages.length < 4; e = e instanceof Error ? e.cause : undefined) {
    messages.push(e instanceof Error ? e.message : String(e));
  }
  return { name: err instanceof Error ? err.name : "Error", message: messages.join(": ") };
};

const data = workerData as ProjectionThreadData;
try {
  const running = await runProjections({
    ...data,
    onError: (projection, err) => send({ type: "paused", projection, error: plain(err) }),
  });
  port.on("message", (m: { type: string }) => {
    if (m.type !== "stop") return;
    running.stop().then(
      () => send({ type: "stopped" }),
      (err: unknown) => send({ type: "stopped", error: plain(err) }),
    );
  });
  send({ type: "ready" });
} catch (err) {
  send({ type: "failed", error: plain(err) });
}
