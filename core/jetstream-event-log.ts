/**
 * The event log over NATS JetStream. This is the one file in `core` that talks to NATS.
 * Metadata rides in headers following the CloudEvents NATS binding (binary mode); the payload is the value itself.
 */
import { Buffer } from "node:buffer";
import {
  type ConsumerMessages,
  DeliverPolicy,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  type StreamConfig,
} from "@nats-io/jetstream";
import { startFastIngest } from "@nats-io/jetstream/internal";
import { type Msg, type MsgHdrs, type NatsConnection, nanos, nuid } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { type CeHeaders, parseCeHeaders } from "./ce-headers.ts";
import type { Config } from "./config.ts";
import { ConflictError, UnavailableError, ValidationError } from "./errors.ts";
import {
  type AppendLimits,
  type AppendRequest,
  type AppendResult,
  type BulkAppendResult,
  type CheckedAppend,
  checkAgain,
  type EventLog,
  type LoggedEvent,
  type ReadOptions,
  type StreamStats,
  saneTime,
} from "./event-log.ts";
import { JetStreamPublishError, JetStreamPublisher } from "./jetstream-publisher.ts";
import { checkServerVersion, type ServerFeatures } from "./nats-server-version.ts";
import { STREAM_SUBJECTS, STREAMS, type StreamName } from "./subjects.ts";

/** Retention and limits of the streams; `0` means unlimited. */
export type StreamSettings = Pick<
  Config,
  | "SPOKES_DEDUP_WINDOW"
  | "SPOKES_EVENTS_MAX_AGE"
  | "SPOKES_EVENTS_MAX_BYTES"
  | "SPOKES_ACTIONS_MAX_AGE"
  | "SPOKES_PRESENCE_MAX_AGE"
>;

export type JetStreamEventLogOptions = {
  servers: string | string[];
  settings: StreamSettings;
  limits?: AppendLimits;
  /** Publishes in flight per appendMany call. */
  window?: number;
  /** Connection name shown by the server's monitoring. */
  name?: string;
  /** Create or update the streams (the hub does; clients such as the CLI only use them). Default true. */
  ensure?: boolean;
};

const WRONG_LAST_SEQUENCE = 10071;
const STREAM_NOT_FOUND = 10059;

/** Streams created with fast-ingest batch publishing allowed (on servers that have it). */
const BATCHED_STREAMS: ReadonlySet<StreamName> = new Set(["EVENTS"]);

type Prepared = { req: AppendRequest; checked: CheckedAppend; id: string; headers: MsgHdrs };

export type WantedStream = Partial<StreamConfig> & { name: StreamName };
const decoder = new TextDecoder();

/** The stream configurations the hub wants, for the given settings and server features. */
export function streamConfigs(settings: StreamSettings, features: ServerFeatures): WantedStream[] {
  const maxAge: Record<StreamName, number> = {
    THINGS: 0,
    EVENTS: settings.SPOKES_EVENTS_MAX_AGE,
    ACTIONS: settings.SPOKES_ACTIONS_MAX_AGE,
    PRESENCE: settings.SPOKES_PRESENCE_MAX_AGE,
    PROVISIONING: 0,
    ACCESS: 0,
  };
  return STREAMS.map((name) => ({
    name,
    subjects: STREAM_SUBJECTS[name],
    max_age: nanos(maxAge[name]),
    max_bytes: name === "EVENTS" && settings.SPOKES_EVENTS_MAX_BYTES > 0 ? settings.SPOKES_EVENTS_MAX_BYTES : -1,
    duplicate_window: nanos(settings.SPOKES_DEDUP_WINDOW),
    allow_direct: true,
    ...(BATCHED_STREAMS.has(name) && features.fastIngest ? { allow_batched: true } : {}),
  }));
}

/** Creates the streams that are missing and brings existing ones to the wanted settings. Safe to repeat. */
export async function ensureStreams(jsm: JetStreamManager, configs: WantedStream[]): Promise<void> {
  for (const config of configs) {
    const name = config.name;
    const existing = await jsm.streams.info(name).catch((err: unknown) => {
      if (err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND) return undefined;
      throw err;
    });
    if (existing === undefined) await jsm.streams.add(config);
    else await jsm.streams.update(name, { ...existing.config, ...config });
  }
}

const LINE_BREAK = /[\r\n]/;

/** A header value as nats.js would write it: trimmed, refused when it holds a line break. */
function headerValue(name: string, value: string): string {
  if (LINE_BREAK.test(value)) throw new ValidationError(`the ${name} must not hold a line break`);
  return value.trim();
}

/**
 * A message's header block, written straight into its wire form: the CloudEvents headers, the dedup id and the
 * append's conditions, in the bytes nats.js writes for a header map, without building a map per message. nats.js
 * reads a publish's headers through `encode()` alone.
 */
class HeaderBlock {
  private readonly bytes: Uint8Array;
  constructor(text: string) {
    this.bytes = Buffer.from(text, "utf8"); // from the shared pool, unlike TextEncoder
  }
  encode(): Uint8Array {
    return this.bytes;
  }
}

/** Pure: the header block's text for an append (exported for tests). */
export function headerBlockText(h: {
  id: string;
  type: string;
  source: string;
  time: string;
  received: string;
  expectedLastSubjectSeq?: number;
  expectedLastSubjectSeqSubject?: string;
}): string {
  const id = headerValue("event id", h.id);
  let text =
    `NATS/1.0\r\nce-specversion: 1.0\r\nce-id: ${id}\r\nce-type: ${headerValue("event type", h.type)}` +
    `\r\nce-source: ${headerValue("source", h.source)}\r\nce-time: ${h.time}\r\nce-received: ${h.received}` +
    `\r\ncontent-type: application/json\r\nNats-Msg-Id: ${id}`;
  if (h.expectedLastSubjectSeq !== undefined) {
    text += `\r\nNats-Expected-Last-Subject-Sequence: ${h.expectedLastSubjectSeq}`;
    if (h.expectedLastSubjectSeqSubject !== undefined) {
      text += `\r\nNats-Expected-Last-Subject-Sequence-Subject: ${headerValue("subject", h.expectedLastSubjectSeqSubject)}`;
    }
  }
  return `${text}\r\n\r\n`;
}

/** nats.js's message internals: the raw bytes (header block, then payload) and the header block's length. */
type RawMsg = { _msg?: { hdr?: unknown }; _rdata?: unknown };

/**
 * The CloudEvents headers of a message. Reads the raw header block when nats.js exposes it (far cheaper than its
 * parsed header map, which matters when replaying millions of messages); otherwise goes through `m.headers`.
 */
function ceHeadersOf(m: Pick<Msg, "headers">): CeHeaders {
  const raw = (m as RawMsg)._rdata;
  const length = (m as RawMsg)._msg?.hdr;
  if (typeof length === "number" && raw instanceof Uint8Array) {
    return length > 0 ? parseCeHeaders(decoder.decode(raw.subarray(0, length))) : {};
  }
  const h = m.headers;
  if (h === undefined) return {};
  return {
    id: h.get("ce-id"),
    type: h.get("ce-type"),
    source: h.get("ce-source"),
    time: h.get("ce-time"),
    received: h.get("ce-received"),
  };
}

/** Where a consumer's message sits in its stream, as its ack subject tells. */
export type Delivery = {
  stream: string;
  streamSequence: number;
  deliverySequence: number;
  timestampNanos: number;
  /** Messages left for the consumer after this one. */
  pending: number;
};

/**
 * Where a message sits in its stream, read in place from its JetStream ack subject (`$JS.ACK.<stream>.<consumer>.
 * <delivered>.<stream seq>.<delivery seq>.<nanos>.<pending>`, or the longer form with domain and account first) as
 * nats.js reads it; `stream`/`streamEnd` and `seq`/`seqEnd` bound the stream's name and the stream sequence's digits.
 */
export type Ack = {
  streamSequence: number;
  deliverySequence: number;
  timestampNanos: number;
  pending: number;
  stream: number;
  streamEnd: number;
  seq: number;
  seqEnd: number;
};

const ACK_PREFIX = Buffer.from("$JS.ACK.");
const dots = new Int32Array(17);

/** Pure but for `out`, which it fills: whether `buf` holds an ack subject from `from` to `to`. */
export function readAck(buf: Buffer, from: number, to: number, out: Ack): boolean {
  if (to - from < 8) return false;
  for (let i = 0; i < 8; i++) if (buf[from + i] !== ACK_PREFIX[i]) return false;
  let n = 0;
  for (let i = from + 8; i < to; i++) {
    if (buf[i] !== 46) continue;
    if (n === 16) return false;
    dots[n++] = i;
  }
  // Seven tokens (six dots), or the longer form with domain and account hash first (eight dots or more).
  const at = n === 6 ? 0 : n >= 8 ? 2 : -1;
  if (at === -1) return false;
  const end = (i: number) => (at + i < n ? (dots[at + i] as number) : to);
  out.stream = at === 0 ? from + 8 : end(-1) + 1;
  out.streamEnd = end(0);
  out.seq = end(2) + 1;
  out.seqEnd = end(3);
  out.streamSequence = digitsAt(buf, out.seq, out.seqEnd);
  out.deliverySequence = digitsAt(buf, end(3) + 1, end(4));
  out.timestampNanos = digitsAt(buf, end(4) + 1, end(5));
  out.pending = digitsAt(buf, end(5) + 1, end(6));
  return Number.isSafeInteger(out.streamSequence) && Number.isSafeInteger(out.deliverySequence);
}

/** Pure: the decimal number in `buf` from `from` to `to`; NaN unless that holds digits only (one at least). */
export function digitsAt(buf: Uint8Array, from: number, to: number): number {
  if (to <= from) return Number.NaN;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = (buf[i] as number) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  return n;
}

/** An empty `Ack` to fill. */
export const newAck = (): Ack => ({
  streamSequence: 0,
  deliverySequence: 0,
  timestampNanos: 0,
  pending: 0,
  stream: 0,
  streamEnd: 0,
  seq: 0,
  seqEnd: 0,
});

const ack = newAck();

/** Pure: the delivery info in an ack subject's text (see `Ack`); undefined for anything else. */
export function deliveryOf(reply: string): Delivery | undefined {
  const buf = Buffer.from(reply);
  return readAck(buf, 0, buf.length, ack) ? deliveryFrom(buf, ack) : undefined;
}

/** Pure: the delivery info of an ack subject read by `readAck` from `buf`. */
export function deliveryFrom(buf: Buffer, a: Ack): Delivery {
  const { streamSequence, deliverySequence, timestampNanos, pending } = a;
  return {
    stream: buf.toString("utf8", a.stream, a.streamEnd),
    streamSequence,
    deliverySequence,
    timestampNanos,
    pending,
  };
}

/**
 * A decoded event that may carry its payload's JSON text as stored, for writers that would otherwise serialise
 * `data` again (such as a replay's COPY into a jsonb column).
 */
export type DecodedEvent = LoggedEvent & {
  /**
   * The stored payload text, present only when it parsed, is not `null`, and holds no number that JavaScript
   * would write differently (see `jsonTextKeeps`): then it stands for the same JSON value as `JSON.stringify(data)`,
   * numbers included, though its spacing or escapes may differ.
   */
  json?: string;
};

/**
 * A number with a fraction or an exponent (a digit then `.`, `e` or `E`), sixteen digits or more in a row, or a
 * minus zero. Strings may trip it too; that only costs a `JSON.stringify`.
 */
const REWRITTEN_NUMBER = /\d[.eE]|\d{16}|-0/;

/**
 * Pure: whether a JSON text's numbers are all as `JSON.stringify` writes them. They then are integers of at most
 * fifteen digits, without minus zero, which a double holds exactly and JavaScript prints unchanged; everything else
 * in JSON (spacing, key order, escapes, repeated keys, where the last wins) reads back the same in a jsonb value.
 */
export function jsonTextKeeps(text: string): boolean {
  return !REWRITTEN_NUMBER.test(text);
}

/** Pure: `jsonTextKeeps` for the UTF-8 bytes of a text, from `from` up to `to`, read in place. */
export function jsonBytesKeep(buf: Uint8Array, from: number, to: number): boolean {
  let run = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i] as number;
    if (c >= 48 && c <= 57) {
      if (++run === 16) return false;
      continue;
    }
    if (run > 0 && (c === 46 || c === 101 || c === 69)) return false;
    run = 0;
    if (c === 45 && buf[i + 1] === 48 && i + 1 < to) return false;
  }
  return true;
}

/** Pure: when the hub received a message: its ce-received header, else the time JetStream stored it. */
function receivedAtOf(received: string | undefined, d: Pick<Delivery, "timestampNanos">): string {
  return received || new Date(d.timestampNanos / 1e6).toISOString();
}

/**
 * Pure: a stored payload's value (the JSON it holds, else the text itself; null when empty) and, as `json`, the text
 * when it may be written as is in place of the value (see `DecodedEvent.json`).
 */
function payloadOf(text: string): { data: unknown; json: string | undefined } {
  if (text === "") return { data: null, json: undefined };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { data: text, json: undefined };
  }
  return { data, json: data !== null && jsonTextKeeps(text) ? text : undefined };
}

function toLoggedEvent(
  h: CeHeaders,
  d: Delivery,
  subject: string,
  payload: Uint8Array | string,
  keepText = false,
): DecodedEvent {
  const receivedAt = receivedAtOf(h.received, d);
  const { data, json } = payloadOf(typeof payload === "string" ? payload : decoder.decode(payload));
  const event: DecodedEvent = {
    stream: d.stream as StreamName,
    seq: d.streamSequence,
    subject,
    id: h.id || String(d.streamSequence),
    type: h.type || "",
    source: h.source || "",
    time: h.time || receivedAt,
    receivedAt,
    data,
  };
  if (!keepText) return event;
  // Always set (undefined when unsafe), so every event of a bulk read has the same shape.
  event.json = json;
  return event;
}

/** Turns a stored JetStream message back into a logged event. */
export function decodeMessage(m: JsMsg): LoggedEvent {
  const inner = (m as unknown as { msg?: Msg }).msg;
  return toLoggedEvent(ceHeadersOf(inner ?? m), m.info, m.subject, m.data);
}

/**
 * The same for a message a pull consumer delivered to a plain subscription (no nats.js JsMsg around it), with the
 * delivery info already read from its reply subject by `deliveryOf`, and the payload text kept where it is safe to
 * write as is. Bulk readers such as replay use this.
 */
export function decodeDelivered(m: Msg, d: Delivery): DecodedEvent {
  return toLoggedEvent(ceHeadersOf(m), d, m.subject, m.data, true);
}

/**
 * The same for a delivered message already read as text by a reader of the NATS protocol of its own: the header
 * block and the payload each decoded from UTF-8 as nats.js decodes them (the payload without a leading BOM).
 */
export function decodeDeliveredText(subject: string, headerBlock: string, payload: string, d: Delivery): DecodedEvent {
  return toLoggedEvent(parseCeHeaders(headerBlock), d, subject, payload, true);
}

/**
 * Pure: server URLs without their credentials, and the credentials as nats.js takes them: `nats://user:password@host`
 * gives a user and password, `nats://token@host` a token (the first URL that has any counts). Credentials never
 * appear in what is logged or reported.
 */
export function natsServers(urls: string | readonly string[]): {
  servers: string[];
  auth: { user?: string; pass?: string; token?: string };
} {
  let auth: { user?: string; pass?: string; token?: string } = {};
  const servers = (typeof urls === "string" ? urls.split(",") : urls).map((raw) => {
    const text = raw.trim();
    let url: URL;
    try {
      url = new URL(text.includes("://") ? text : `nats://${text}`);
    } catch {
      return text;
    }
    if (!url.username && !url.password) return text;
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    if (Object.keys(auth).length === 0) auth = url.password ? { user, pass } : { token: user };
    return `${url.protocol}//${url.host}`;
  });
  return { servers, auth };
}

export class JetStreamEventLog implements EventLog {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly features: ServerFeatures;
  private readonly limits: AppendLimits | undefined;
  private readonly window: number;
  private readonly publisher: JetStreamPublisher;
  private readonly reconnectListeners = new Set<() => void>();
  /** Pauses waiting for the next reconnect or the close, whichever comes first. */
  private readonly pauses = new Set<() => void>();
  private connected = true;

  private constructor(
    nc: NatsConnection,
    jsm: JetStreamManager,
    features: ServerFeatures,
    o: JetStreamEventLogOptions,
  ) {
    this.nc = nc;
    this.jsm = jsm;
    this.js = jetstream(nc);
    this.features = features;
    this.limits = o.limits;
    this.window = o.window ?? 1024;
    this.publisher = new JetStreamPublisher(nc);
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === "disconnect") this.connected = false;
        if (s.type !== "reconnect") continue;
        this.connected = true;
        for (const listener of [...this.reconnectListeners]) listener();
        for (const end of [...this.pauses]) end();
      }
    })();
    void nc.closed().then(() => {
      for (const end of [...this.pauses]) end();
    });
  }

  /** Calls `listener` each time the connection to NATS is made again; returns what stops that. */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /** Connects, refuses a server that is too old, and makes sure the streams exist with the wanted settings. */
  static async open(o: JetStreamEventLogOptions): Promise<JetStreamEventLog> {
    let nc: NatsConnection;
    const { servers, auth } = natsServers(o.servers);
    try {
      nc = await connect({ servers, ...auth, name: o.name ?? "spokes", maxReconnectAttempts: -1 });
    } catch (cause) {
      throw new UnavailableError(`cannot reach NATS at ${servers.join(",")}`, { cause });
    }
    try {
      const features = checkServerVersion(nc.info?.version ?? "");
      const jsm = await jetstreamManager(nc).catch((cause: unknown) => {
        throw new UnavailableError("the NATS server has no JetStream; start it with -js", { cause });
      });
      if (o.ensure !== false) await ensureStreams(jsm, streamConfigs(o.settings, features));
      return new JetStreamEventLog(nc, jsm, features, o);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /** Validates a request and builds its headers; throws ValidationError before anything is sent. */
  private prepare(req: AppendRequest, earlier?: CheckedAppend): Prepared {
    const checked = checkAgain(req, earlier, this.limits);
    const id = req.id ?? nuid.next();
    const now = new Date();
    const received = now.toISOString();
    const time = saneTime(req.time, now);
    const text = headerBlockText({
      id,
      type: checked.type,
      source: req.source ?? "spokes",
      time: time === now ? received : time.toISOString(),
      received,
      ...(req.expectedLastSubjectSeq !== undefined ? { expectedLastSubjectSeq: req.expectedLastSubjectSeq } : {}),
      ...(req.expectedLastSubjectSeqSubject !== undefined
        ? { expectedLastSubjectSeqSubject: req.expectedLastSubjectSeqSubject }
        : {}),
    });
    return { req, checked, id, headers: new HeaderBlock(text) as unknown as MsgHdrs };
  }

  private send(p: Prepared): Promise<AppendResult> {
    return this.publisher.publish(p.checked.subject, p.checked.payload, p.headers).then(
      (ack) => ({ stream: ack.stream as StreamName, seq: ack.seq, id: p.id, duplicate: ack.duplicate }),
      (err: unknown) => {
        if (err instanceof JetStreamPublishError && err.code === WRONG_LAST_SEQUENCE) {
          const subject = p.req.expectedLastSubjectSeqSubject ?? p.req.subject;
          throw new ConflictError(subject, p.req.expectedLastSubjectSeq ?? 0, { cause: err });
        }
        throw err;
      },
    );
  }

  append(req: AppendRequest, checked?: CheckedAppend): Promise<AppendResult> {
    try {
      return this.send(this.prepare(req, checked));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  appendUnacknowledged(req: AppendRequest, checked?: CheckedAppend): void {
    if (req.expectedLastSubjectSeq !== undefined) {
      throw new ValidationError("a conditional append needs JetStream's acknowledgement");
    }
    const p = this.prepare(req, checked);
    this.nc.publish(p.checked.subject, p.checked.payload, { headers: p.headers });
  }

  flushed(): Promise<void> {
    return this.nc.flush();
  }

  /**
   * Validates every request first (a bad one fails the call before anything is stored), then publishes with up to
   * `window` acknowledgements outstanding. If a publish fails the others still complete and the first error is
   * thrown; calling again with the same ids stores only what is missing.
   */
  async appendMany(reqs: readonly AppendRequest[]): Promise<AppendResult[]> {
    return this.sendWindowed(reqs.map((r) => this.prepare(r)));
  }

  private async sendWindowed(prepared: Prepared[]): Promise<AppendResult[]> {
    const results = new Array<AppendResult>(prepared.length);
    const pending: Promise<void>[] = [];
    let firstError: unknown;
    const fail = (err: unknown) => {
      firstError ??= err;
    };
    for (let i = 0; i < prepared.length; i++) {
      if (i >= this.window) await pending[i - this.window];
      pending.push(
        this.send(prepared[i] as Prepared).then((r) => {
          results[i] = r;
        }, fail),
      );
    }
    await Promise.all(pending);
    if (firstError !== undefined) throw firstError;
    return results;
  }

  /**
   * Appends a large batch as fast as the server allows and reports totals, not each event's sequence. With
   * nats-server 2.14+ and a batch for one stream that allows it, with no conditional appends, it uses the
   * server's fast-ingest batch publish (flow-controlled, aborted on any gap); otherwise `appendMany`. Ids dedup as
   * everywhere, so a failed call can be repeated with the same ids.
   */
  async appendBulk(reqs: readonly AppendRequest[]): Promise<BulkAppendResult> {
    const prepared = reqs.map((r) => this.prepare(r));
    const stream = prepared[0]?.checked.stream;
    const eligible =
      this.features.fastIngest &&
      stream !== undefined &&
      BATCHED_STREAMS.has(stream) &&
      prepared.length >= 2 &&
      prepared.every((p) => p.checked.stream === stream && p.req.expectedLastSubjectSeq === undefined);
    if (!eligible) {
      const results = await this.sendWindowed(prepared);
      const stored = results.filter((r) => !r.duplicate);
      return { count: results.length, lastSeq: Math.max(0, ...stored.map((r) => r.seq)), fastIngest: false };
    }
    const [first, ...rest] = prepared as [Prepared, ...Prepared[]];
    const last = rest.pop() as Prepared;
    const batch = await startFastIngest(this.nc, first.checked.subject, first.checked.payload, {
      allowGaps: false,
      ackInterval: 100,
      headers: first.headers,
    });
    for (const p of rest) await batch.add(p.checked.subject, p.checked.payload, { headers: p.headers });
    const ack = await batch.last(last.checked.subject, last.checked.payload, { headers: last.headers });
    return { count: ack.count, lastSeq: ack.seq, fastIngest: true };
  }

  private async consumer(opts: ReadOptions, defaultFrom: "all" | "new") {
    const from = opts.from ?? defaultFrom;
    const filter = opts.filter === undefined ? [] : Array.isArray(opts.filter) ? opts.filter : [opts.filter];
    const start =
      from === "new"
        ? { deliver_policy: DeliverPolicy.New }
        : from === "all"
          ? { deliver_policy: DeliverPolicy.All }
          : typeof from === "number"
            ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, from) }
            : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: from.toISOString() };
    return this.js.consumers.get(opts.stream, { ...start, ...(filter.length ? { filter_subjects: filter } : {}) });
  }

  async *read(opts: ReadOptions): AsyncIterable<LoggedEvent> {
    const head = (await this.jsm.streams.info(opts.stream)).state.last_seq;
    const consumer = await this.consumer(opts, "all");
    const info = await consumer.info();
    if (info.num_pending === 0) return;
    const messages = await consumer.consume({ max_messages: 1000 });
    try {
      for await (const m of messages) {
        if (m.seq > head) break;
        yield decodeMessage(m);
        if (m.info.pending === 0 || m.seq === head) break;
      }
    } finally {
      await messages.close();
    }
  }

  async *watch(opts: ReadOptions & { signal?: AbortSignal }): AsyncIterable<LoggedEvent> {
    if (opts.signal?.aborted) return;
    // "new" is pinned to a sequence so that a consumer made again after a reconnect starts at the same place.
    const from =
      (opts.from ?? "new") === "new" ? (await this.jsm.streams.info(opts.stream)).state.last_seq + 1 : opts.from;
    const open = async (after: number | undefined) => {
      const consumer = await this.consumer({ ...opts, from: after === undefined ? from : after + 1 }, "new");
      return consumer.consume({ max_messages: 1000 });
    };
    for await (const m of this.follow(open, opts.signal)) yield decodeMessage(m);
  }

  /**
   * The messages of consumers that `open` makes, starting after the last message given out (`undefined`: none
   * yet), until `signal` aborts. After every reconnect the consumer is replaced by a new one, made again with
   * growing pauses (up to 2 s) until JetStream answers: left to itself, nats.js waits its pull expiry (15 to 45 s)
   * when the server is back before JetStream is.
   */
  async *follow(
    open: (after: number | undefined) => Promise<ConsumerMessages>,
    signal?: AbortSignal,
  ): AsyncIterable<JsMsg> {
    if (signal?.aborted) return;
    let last: number | undefined;
    let messages: ConsumerMessages | undefined = await open(last);
    while (messages) {
      const current = messages;
      let reconnected = false;
      const stop = () => void current.close();
      const off = this.onReconnect(() => {
        reconnected = true;
        stop();
      });
      // The signal may have fired while the consumer was being created.
      if (signal?.aborted) stop();
      signal?.addEventListener("abort", stop, { once: true });
      try {
        for await (const m of current) {
          last = m.seq;
          yield m;
        }
      } finally {
        off();
        signal?.removeEventListener("abort", stop);
        await current.close();
      }
      messages = reconnected ? await this.retry(() => open(last), signal) : undefined;
    }
  }

  /** `attempt`'s result, trying again with `backOff` after 100 ms, 200 ms, … 2 s; undefined once `signal` aborts. */
  private async retry<T>(attempt: () => Promise<T>, signal?: AbortSignal): Promise<T | undefined> {
    for (let n = 0; !signal?.aborted; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (this.nc.isClosed()) throw err;
        await this.backOff(Math.min(2000, 100 * 2 ** n), signal);
      }
    }
    return undefined;
  }

  /**
   * The pause before trying again after a failure: `ms`, cut short by a reconnect; while disconnected, until the
   * connection is back (a request sent meanwhile would only time out). Close and abort end it at once.
   */
  async backOff(ms: number, signal?: AbortSignal): Promise<void> {
    await this.pause(ms, signal);
    if (!this.connected && !signal?.aborted) await this.pause(undefined, signal);
  }

  /** Resolves after `ms` (undefined: no time limit), at the next reconnect, on close or abort, whichever is first. */
  private pause(ms: number | undefined, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.pauses.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      this.pauses.add(done);
      if (signal?.aborted || this.nc.isClosed()) done();
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /** The hub's streams that exist on the server (none before a hub has first run against it). */
  async stats(): Promise<StreamStats[]> {
    const out: StreamStats[] = [];
    for (const stream of STREAMS) {
      const info = await this.jsm.streams.info(stream).catch((err: unknown) => {
        if ((err as Error)?.name === "StreamNotFoundError") return undefined;
        throw err;
      });
      if (info === undefined) continue;
      const { state } = info;
      out.push({
        stream,
        messages: state.messages,
        bytes: state.bytes,
        firstSeq: state.first_seq,
        lastSeq: state.last_seq,
      });
    }
    return out;
  }

  async close(): Promise<void> {
    this.publisher.close();
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}
