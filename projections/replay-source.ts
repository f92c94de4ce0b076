/** Where a replay reads from: ranges of one projection's stream, decoded, in batches. */
import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import { createInbox, type Msg, nanos } from "@nats-io/nats-core";
import { UnavailableError } from "../core/errors.ts";
import type { LoggedEvent } from "../core/event-log.ts";
import {
  decodeDelivered,
  decodeDeliveredText,
  deliveryFrom,
  deliveryOf,
  type JetStreamEventLog,
  newAck,
  readAck,
} from "../core/jetstream-event-log.ts";
import { type BareMessage, type Frame, messageOf, openBareSubscription, statusOf } from "./bare-subscription.ts";
import { Batcher } from "./batcher.ts";
import type { AnyProjection, RowOf } from "./projection.ts";

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
/** With messages owed and none arriving for this long, the reader asks whether its consumer still exists. */
const ASK_AFTER_MS = 2000;
/** The server removes the consumer after this long without requests (a replay that died without removing it). */
const INACTIVE_MS = 300_000;

/** A row of the projection's bulk load made straight from a stored message, standing in for its event. */
export class ReadyRow {
  readonly seq: number;
  readonly row: unknown;
  constructor(seq: number, row: unknown) {
    this.seq = seq;
    this.row = row;
  }
}

export type ReplayItem = LoggedEvent | ReadyRow;

/**
 * Events of the projection with `fromSeq <= seq <= toSeq`, in batches of at most `size`. A pull consumer of its own
 * (no acknowledgements, in memory, removed at the end or after five idle minutes) delivers into a plain
 * subscription, with the next request sent while the previous is still arriving, so NATS keeps delivering while the
 * caller writes. The messages are decoded in the subscription's callback as they arrive (no promise and no nats.js
 * JsMsg per message), and no more is asked for while `4 × size` decoded events wait for the caller.
 *
 * Where the server asks for neither authentication nor TLS, the subscription is on a connection of the reader's own
 * that speaks the NATS protocol directly (`bare-subscription.ts`), and with `rowOf` each message it can turn into a
 * row of the projection's bulk load comes as that row (`ReadyRow`), never decoded into an event.
 */
/** Where to read: the log, the projection whose stream and filter count, the range, and the batch size. */
type ReadRange = [
  log: Pick<JetStreamEventLog, "jsm" | "nc">,
  p: AnyProjection,
  fromSeq: number,
  toSeq: number,
  size: number,
];
export function readBatches(...range: ReadRange): AsyncIterable<LoggedEvent[]>;
export function readBatches(...args: [...ReadRange, rowOf: RowOf | undefined]): AsyncIterable<ReplayItem[]>;
export async function* readBatches(
  log: Pick<JetStreamEventLog, "jsm" | "nc">,
  p: AnyProjection,
  fromSeq: number,
  toSeq: number,
  size: number,
  rowOf?: RowOf,
): AsyncIterable<ReplayItem[]> {
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
  const batcher = new Batcher<ReplayItem>();
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
  const status = (m: Msg | BareMessage) => {
    heard = Date.now();
    const { code, description, pending } =
      "payload" in m
        ? statusOf(m.header)
        : {
            code: m.headers?.code ?? 0,
            description: m.headers?.description ?? "",
            pending: m.headers?.get("Nats-Pending-Messages"),
          };
    if (code === 408) {
      // The request expired: what it still owed will not come.
      owed -= Number(pending || chunk);
      owed = Math.max(0, owed);
      refill();
    } else if (code !== 100) {
      throw new UnavailableError(`the replay's consumer stopped: ${code} ${description}`.trim());
    }
  };
  /** Counts a delivery; whether its message is wanted. */
  const admit = (streamSequence: number, deliverySequence: number): boolean => {
    heard = Date.now();
    owed = Math.max(0, owed - 1);
    if (deliverySequence !== ++delivered) throw new UnavailableError("the replay's consumer skipped messages");
    if (batcher.ended) return false;
    if (streamSequence <= toSeq) return true;
    batcher.end();
    return false;
  };
  /** After a wanted message: up to and including `toSeq`, or up to the head when the filter skips it. */
  const added = (streamSequence: number, pending: number) => {
    if (streamSequence === toSeq || pending === 0) batcher.end();
    else if (owed <= chunk) refill();
  };
  const take = (m: Msg) => {
    const d = m.reply ? deliveryOf(m.reply) : undefined;
    if (d === undefined) return status(m);
    if (!admit(d.streamSequence, d.deliverySequence)) return;
    batcher.add(decodeDelivered(m, d));
    added(d.streamSequence, d.pending);
  };
  const ack = newAck();
  const takeFrame = (f: Frame) => {
    if (!readAck(f.buf, f.reply, f.replyEnd, ack)) return status(messageOf(f));
    const { streamSequence, pending } = ack;
    if (!admit(streamSequence, ack.deliverySequence)) return;
    const row = rowOf?.(f, ack);
    if (row !== undefined) batcher.add(new ReadyRow(streamSequence, row));
    else {
      const m = messageOf(f);
      batcher.add(decodeDeliveredText(m.subject, m.header, m.payload, deliveryFrom(f.buf, ack)));
    }
    added(streamSequence, pending);
  };
  const deliver =
    <M>(handle: (m: M) => void) =>
    (m: M) => {
      try {
        handle(m);
      } catch (e) {
        batcher.end(e);
      }
    };
  // A connection of its own where the server allows it (cheaper per message), else the log's nats.js connection.
  const bare = await openBareSubscription(log.nc.getServer(), inbox, deliver(takeFrame), (err) =>
    batcher.end(err),
  ).catch(() => undefined);
  const viaNats = deliver(take);
  const sub = bare
    ? undefined
    : log.nc.subscribe(inbox, { callback: (err, m) => (err ? batcher.end(err) : viaNats(m)) });
  // A consumer removed while no request of ours was pending takes later requests without a word: ask after it.
  let asking = false;
  const watchdog = setInterval(() => {
    if (owed === 0 || batcher.ended) return;
    const quiet = Date.now() - heard;
    if (quiet > STALL_MS) return batcher.end(new UnavailableError("the replay's consumer stopped"));
    if (quiet < ASK_AFTER_MS || asking) return;
    asking = true;
    log.jsm.consumers
      .info(p.stream, name)
      .then(
        () => {},
        (err: unknown) => {
          if ((err as { name?: string })?.name === "ConsumerNotFoundError" || /not found/i.test(String(err))) {
            batcher.end(new UnavailableError("the replay's consumer stopped: it was removed"));
          }
        },
      )
      .finally(() => {
        asking = false;
      });
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
    sub?.unsubscribe();
    bare?.close();
    await log.jsm.consumers.delete(p.stream, name).catch(() => {});
  }
}
