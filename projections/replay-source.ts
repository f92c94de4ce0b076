/** Where a replay reads from: ranges of one projection's stream, decoded, in batches. */
import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { createInbox, type Msg, nanos } from "@nats-io/nats-core";
import { UnavailableError } from "../core/errors.ts";
import type { LoggedEvent } from "../core/event-log.ts";
import { decodeDelivered, deliveryOf, type JetStreamEventLog } from "../core/jetstream-event-log.ts";
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

/** How long a pull request waits on the server for messages. */
const EXPIRES_MS = 10_000;
/** With messages owed and none arriving for this long, the read fails (the consumer is gone, or the server). */
const STALL_MS = 3 * EXPIRES_MS;
/** The server removes the consumer after this long without requests (a replay that died without removing it). */
const INACTIVE_MS = 300_000;

/**
 * Events of the projection with `fromSeq <= seq <= toSeq`, in batches of at most `size`. A pull consumer of its own
 * (no acknowledgements, in memory, removed at the end or after five idle minutes) delivers into a plain
 * subscription, with the next request sent while the previous is still arriving, so NATS keeps delivering while the
 * caller writes. The messages are decoded in the subscription's callback as they arrive (no promise and no nats.js
 * JsMsg per message), and no more is asked for while `4 × size` decoded events wait for the caller.
 */
export async function* readBatches(
  log: Pick<JetStreamEventLog, "jsm" | "nc">,
  p: AnyProjection,
  fromSeq: number,
  toSeq: number,
  size: number,
): AsyncIterable<LoggedEvent[]> {
  if (fromSeq > toSeq) return;
  // Short: the consumer's name is in every message's reply subject, which nats.js parses byte by byte.
  const name = `rp${Math.random().toString(36).slice(2, 10)}`;
  const info = await log.jsm.consumers.add(p.stream, {
    name,
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, fromSeq),
    ...(p.filter.length > 0 ? { filter_subjects: p.filter } : {}),
    mem_storage: true,
    num_replicas: 1,
    inactive_threshold: nanos(INACTIVE_MS),
  });
  const batcher = new Batcher<LoggedEvent>();
  const chunk = Math.max(1000, size);
  const maxBuffered = 4 * size;
  const next = `$JS.API.CONSUMER.MSG.NEXT.${p.stream}.${name}`;
  const request = JSON.stringify({ batch: chunk, expires: nanos(EXPIRES_MS) });
  const inbox = createInbox();
  /** Messages asked for and neither delivered nor expired. */
  let owed = 0;
  let delivered = 0;
  let heard = Date.now();
  const refill = () => {
    while (!batcher.ended && owed <= chunk && batcher.buffered < maxBuffered) {
      owed += chunk;
      log.nc.publish(next, request, { reply: inbox });
    }
  };
  const status = (m: Msg) => {
    const code = m.headers?.code ?? 0;
    const description = m.headers?.description ?? "";
    const pending = m.headers?.get("Nats-Pending-Messages");
    if (code === 408) {
      // The request expired: what it still owed will not come.
      owed -= Number(pending || chunk);
      owed = Math.max(0, owed);
      refill();
    } else if (code !== 100) {
      throw new UnavailableError(`the replay's consumer stopped: ${code} ${description}`.trim());
    }
  };
  const take = (m: Msg) => {
    heard = Date.now();
    const d = m.reply ? deliveryOf(m.reply) : undefined;
    if (d === undefined) return status(m);
    owed = Math.max(0, owed - 1);
    if (d.deliverySequence !== ++delivered) throw new UnavailableError("the replay's consumer skipped messages");
    if (batcher.ended) return;
    if (d.streamSequence > toSeq) return batcher.end();
    batcher.add(decodeDelivered(m, d));
    // Up to and including `toSeq`, or up to the head when the filter skips it.
    if (d.streamSequence === toSeq || d.pending === 0) batcher.end();
    else if (owed <= chunk) refill();
  };
  const deliver = (m: Msg) => {
    try {
      take(m);
    } catch (e) {
      batcher.end(e);
    }
  };
  const sub = log.nc.subscribe(inbox, { callback: (err, m) => (err ? batcher.end(err) : deliver(m)) });
  const watchdog = setInterval(() => {
    if (owed > 0 && Date.now() - heard > STALL_MS) batcher.end(new UnavailableError("the replay's consumer stopped"));
  }, 1000);
  watchdog.unref();
  try {
    if (info.num_pending === 0) return;
    refill();
    for (;;) {
      const batch = await batcher.next(size, 20);
      refill();
      if (batch === undefined) return;
      yield batch;
    }
  } finally {
    clearInterval(watchdog);
    batcher.end();
    sub.unsubscribe();
    await log.jsm.consumers.delete(p.stream, name).catch(() => {});
  }
}
