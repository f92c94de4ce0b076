/** Where a replay reads from: ranges of one projection's stream, decoded, in batches. */
import { DeliverPolicy, type JsMsg } from "@nats-io/jetstream";
import type { LoggedEvent } from "../core/event-log.ts";
import { decodeMessage, type JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { Batcher } from "./batcher.ts";
import type { AnyProjection } from "./projection.ts";

export type StreamBounds = { first: number; last: number };

export async function streamBounds(log: Pick<JetStreamEventLog, "jsm">, p: AnyProjection): Promise<StreamBounds> {
  const { state } = await log.jsm.streams.info(p.stream);
  return { first: state.first_seq, last: state.last_seq };
}

/** The first sequence at or after `from` (a sequence or a time); `last + 1` when nothing is that recent. */
export async function resolveFrom(
  log: Pick<JetStreamEventLog, "read">,
  p: AnyProjection,
  bounds: StreamBounds,
  from: number | Date | undefined,
): Promise<number> {
  if (from === undefined) return bounds.first;
  if (typeof from === "number") return Math.min(Math.max(from, bounds.first), bounds.last + 1);
  for await (const e of log.read({ stream: p.stream, from })) return e.seq;
  return bounds.last + 1;
}

/**
 * Events of the projection with `fromSeq <= seq <= toSeq`, in batches of at most `size`. An ordered consumer
 * keeps fetching in the background while the caller writes the previous batch, so NATS and Postgres overlap. The
 * messages are decoded in the consumer's callback as they arrive: no promise per message.
 */
export async function* readBatches(
  log: Pick<JetStreamEventLog, "js">,
  p: AnyProjection,
  fromSeq: number,
  toSeq: number,
  size: number,
): AsyncIterable<LoggedEvent[]> {
  if (fromSeq > toSeq) return;
  const filter = p.filter.length > 0 ? { filter_subjects: p.filter } : {};
  const consumer = await log.js.consumers.get(p.stream, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, fromSeq),
    ...filter,
  });
  if ((await consumer.info(true)).num_pending === 0) return;
  const batcher = new Batcher<LoggedEvent>();
  // Up to and including `toSeq`, or up to the head when the filter skips it.
  const take = (m: JsMsg) => {
    if (batcher.ended) return;
    if (m.seq > toSeq) return batcher.end();
    batcher.add(decodeMessage(m));
    if (m.seq === toSeq || m.info.pending === 0) batcher.end();
  };
  const messages = await consumer.consume({
    max_messages: Math.max(1000, size * 2),
    callback: (m) => {
      try {
        take(m);
      } catch (err) {
        batcher.end(err);
      }
    },
  });
  messages.closed().then(
    () => batcher.end(),
    (err: unknown) => batcher.end(err ?? new Error("the replay's consumer stopped")),
  );
  try {
    for (;;) {
      const batch = await batcher.next(size, 20);
      if (batch === undefined) return;
      yield batch;
    }
  } finally {
    messages.stop();
  }
}
