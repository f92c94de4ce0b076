/**
 * A subscription on a NATS connection of its own, speaking the protocol directly, for replay's bulk reads. nats.js
 * reads each message's protocol line byte by byte and wraps it in a message object; here frames are found with native
 * searches and handed on in place, as offsets into the bytes read, which takes a fraction of the CPU per message.
 * Only for servers that ask for neither authentication nor TLS; elsewhere `openBareSubscription` gives undefined and
 * the caller reads through nats.js.
 */
import { connect, type Socket } from "node:net";
import { UnavailableError } from "../core/errors.ts";
import { digitsAt } from "../core/jetstream-event-log.ts";

/** One delivered message: `header` is the header block as text ("" without headers). */
export type BareMessage = { subject: string; reply: string | undefined; header: string; payload: string };

/**
 * One delivered message where it lies in the reader's buffer, as offsets into `buf` (each part from its start up to
 * its end; equal when absent). Good only during the call it is handed to: the reader reuses the object and the buffer.
 */
export type Frame = {
  buf: Buffer;
  subject: number;
  subjectEnd: number;
  reply: number;
  replyEnd: number;
  header: number;
  headerEnd: number;
  payload: number;
  payloadEnd: number;
};

/**
 * Pure: a frame as text. Payloads and header blocks are decoded from UTF-8 as nats.js does (the payload without a
 * leading BOM).
 */
export function messageOf(f: Frame): BareMessage {
  const payload = f.buf.toString("utf8", f.payload, f.payloadEnd);
  return {
    subject: f.buf.toString("utf8", f.subject, f.subjectEnd),
    reply: f.reply < f.replyEnd ? f.buf.toString("utf8", f.reply, f.replyEnd) : undefined,
    header: f.header < f.headerEnd ? f.buf.toString("utf8", f.header, f.headerEnd) : "",
    payload: payload.charCodeAt(0) === 0xfeff ? payload.slice(1) : payload,
  };
}

/** Where a value lies in a frame: from `from` up to `to`. */
export type Span = { from: number; to: number };

/**
 * Pure but for `out`, which it sets: where the value of a header lies in the frame's header block, without the
 * spaces and tabs around it, as `headerValue` reads it from the text. False when the header is absent or empty.
 * `key` is `\r\n<name>:` in bytes; the search starts at `after` (within the block; by default its start).
 */
export function headerIn(f: Frame, key: Uint8Array, out: Span, after = f.header): boolean {
  const { buf } = f;
  let at = buf.indexOf(key, after);
  if (at === -1 || at + key.length > f.headerEnd) {
    // Looked for after another header (the order the hub writes them in): then also before it.
    if (after === f.header) return false;
    at = buf.indexOf(key, f.header);
    if (at === -1 || at + key.length > f.headerEnd) return false;
  }
  let from = at + key.length;
  let to = buf.indexOf(13, from);
  if (to === -1 || to > f.headerEnd) to = f.headerEnd;
  while (from < to && (buf[from] === 32 || buf[from] === 9)) from++;
  while (to > from && (buf[to - 1] === 32 || buf[to - 1] === 9)) to--;
  out.from = from;
  out.to = to;
  return from < to;
}

/**
 * Pure, incremental: splits server output into protocol lines and messages. `feed` takes the next bytes; what a
 * frame still lacks is kept for the next call. Messages are handed on in place (`Frame`), with no text made of them.
 */
export class FrameReader {
  private rest: Buffer | undefined;
  private readonly onFrame: (f: Frame) => void;
  private readonly onLine: (line: string) => void;
  private readonly frame: Frame = {
    buf: Buffer.alloc(0),
    subject: 0,
    subjectEnd: 0,
    reply: 0,
    replyEnd: 0,
    header: 0,
    headerEnd: 0,
    payload: 0,
    payloadEnd: 0,
  };
  /** Where the spaces of the line being read are (more than a message line has: too many). */
  private readonly spaces = new Int32Array(7);
  private count = 0;

  constructor(onFrame: (f: Frame) => void, onLine: (line: string) => void) {
    this.onFrame = onFrame;
    this.onLine = onLine;
  }

  feed(chunk: Buffer): void {
    let buf = chunk;
    const rest = this.rest;
    this.rest = undefined;
    if (rest) {
      // What `rest` began is completed with only as many of the chunk's bytes as it needs (not a copy of the whole
      // chunk); the chunk's other messages are read in place.
      const take = this.stillNeeded(rest, chunk);
      if (take === undefined || take > chunk.length) {
        this.rest = Buffer.concat([rest, chunk]);
        return;
      }
      this.read(Buffer.concat([rest, chunk.subarray(0, take)]));
      buf = chunk.subarray(take);
    }
    const at = this.read(buf);
    // A copy: the socket's chunk is not ours to keep.
    if (at < buf.length) this.rest = Buffer.from(buf.subarray(at));
  }

  /** Hands on every whole line and message in `buf`; returns where the first unfinished one starts. */
  private read(buf: Buffer): number {
    const f = this.frame;
    let at = 0;
    for (;;) {
      const eol = this.scanLine(buf, at);
      if (eol === -1) return at;
      const size = this.message(buf, at, eol);
      if (size === -1) {
        this.onLine(buf.toString("utf8", at, buf[eol - 1] === 13 ? eol - 1 : eol));
        at = eol + 1;
        continue;
      }
      if (eol + 1 + size > buf.length) return at;
      f.buf = buf;
      this.onFrame(f);
      at = eol + 1 + size;
    }
  }

  /** How many bytes of `chunk` finish the line or message that `rest` begins; undefined while its line is unfinished. */
  private stillNeeded(rest: Buffer, chunk: Buffer): number | undefined {
    let line = rest;
    let eol = this.scanLine(rest, 0);
    if (eol === -1) {
      const more = chunk.indexOf(10);
      if (more === -1) return undefined;
      line = Buffer.concat([rest, chunk.subarray(0, more + 1)]);
      eol = this.scanLine(line, 0);
    }
    return eol + 1 + Math.max(0, this.message(line, 0, eol)) - rest.length;
  }

  /** The end (`\n`) of the line at `at`, noting its first spaces; -1 when `buf` does not hold all of it. */
  private scanLine(buf: Buffer, at: number): number {
    const spaces = this.spaces;
    let n = 0;
    for (let i = at; i < buf.length; i++) {
      const c = buf[i];
      if (c === 10) {
        this.count = n;
        return i;
      }
      if (c === 32 && n < 7) spaces[n++] = i;
    }
    return -1;
  }

  /**
   * For a message line (`HMSG <subject> <sid> [reply] <header bytes> <total bytes>` or `MSG <subject> <sid> [reply]
   * <bytes>`) from `at` to `eol`: sets the frame's offsets and returns the bytes that follow the line (the message
   * and its CRLF). -1 for other lines; throws for a message line that cannot be read.
   */
  private message(buf: Buffer, at: number, eol: number): number {
    const s = this.spaces;
    const verb = this.count > 0 ? (s[0] as number) - at : 0;
    const headers = verb === 4 && buf[at] === 72 && buf[at + 1] === 77;
    if (!headers && !(verb === 3 && buf[at] === 77 && buf[at + 1] === 83)) return -1;
    const end = buf[eol - 1] === 13 ? eol - 1 : eol;
    const n = this.count;
    const named = n - (headers ? 2 : 1);
    const total = n > 0 ? digitsAt(buf, (s[n - 1] as number) + 1, end) : Number.NaN;
    const hdr = headers && n > 1 ? digitsAt(buf, (s[n - 2] as number) + 1, s[n - 1] as number) : 0;
    if (Number.isNaN(total) || Number.isNaN(hdr) || hdr > total || (named !== 2 && named !== 3)) {
      throw new UnavailableError(`unreadable message from NATS: ${buf.toString("utf8", at, end).slice(0, 200)}`);
    }
    const f = this.frame;
    const body = eol + 1;
    f.subject = (s[0] as number) + 1;
    f.subjectEnd = s[1] as number;
    f.reply = named === 3 ? (s[2] as number) + 1 : 0;
    f.replyEnd = named === 3 ? (s[3] as number) : 0;
    f.header = body;
    f.headerEnd = body + hdr;
    f.payload = body + hdr;
    f.payloadEnd = body + total;
    return total + 2;
  }
}

/** Pure: the status line and pending count of a header block such as `NATS/1.0 408 Request Timeout\r\n…`. */
export function statusOf(header: string): { code: number; description: string; pending: string | undefined } {
  const eol = header.indexOf("\r\n");
  const line = eol === -1 ? header : header.slice(0, eol);
  const m = /^NATS\/1\.0 (\d{3})(.*)$/.exec(line);
  const key = "\r\nNats-Pending-Messages:";
  const at = header.indexOf(key);
  const end = at === -1 ? -1 : header.indexOf("\r\n", at + key.length);
  return {
    code: m ? Number(m[1]) : 0,
    description: m ? (m[2] ?? "").trim() : "",
    pending: at === -1 ? undefined : header.slice(at + key.length, end === -1 ? header.length : end).trim(),
  };
}

export type BareSubscription = { close(): void };

/**
 * Connects to `server` (host:port), subscribes to `subject` and resolves once the server has registered the
 * subscription; undefined when the server wants authentication or TLS. Messages go to `onMessage` in place (see
 * `Frame`), a failure of the
 * connection (or of `onMessage`) to `onError`, once.
 */
export async function openBareSubscription(
  server: string,
  subject: string,
  onMessage: (f: Frame) => void,
  onError: (err: unknown) => void,
): Promise<BareSubscription | undefined> {
  const colon = server.lastIndexOf(":");
  const host = server.slice(0, colon).replace(/^\[|\]$/g, "");
  const socket: Socket = connect({ host, port: Number(server.slice(colon + 1)), noDelay: true });
  let closed = false;
  const close = () => {
    closed = true;
    socket.destroy();
  };
  let greeted = false;
  let ready: ((ok: boolean) => void) | undefined;
  let failed: ((err: unknown) => void) | undefined;
  /** Ends the handshake, once. */
  const settle = (ok: boolean) => {
    const r = ready;
    ready = undefined;
    failed = undefined;
    r?.(ok);
  };
  const fail = (err: unknown) => {
    if (closed) return;
    close();
    const f = failed;
    ready = undefined;
    failed = undefined;
    if (f) f(err);
    else onError(err);
  };
  const reader = new FrameReader(onMessage, (line) => {
    if (line.startsWith("INFO ")) {
      // The first INFO opens the handshake; later ones only update what the server tells clients.
      if (greeted) return;
      greeted = true;
      const info = JSON.parse(line.slice(5)) as { auth_required?: boolean; tls_required?: boolean };
      if (info.auth_required || info.tls_required) return settle(false);
      socket.write(
        `CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"protocol":1,"lang":"spokes"}\r\nSUB ${subject} 1\r\nPING\r\n`,
      );
    } else if (line === "PING") socket.write("PONG\r\n");
    else if (line === "PONG") settle(true);
    else if (line.startsWith("-ERR")) fail(new UnavailableError(`NATS refused the replay's reader: ${line.slice(5)}`));
  });
  socket.on("data", (chunk: Buffer) => {
    try {
      reader.feed(chunk);
    } catch (err) {
      fail(err);
    }
  });
  socket.on("error", (err) => fail(new UnavailableError("the replay's connection to NATS failed", { cause: err })));
  socket.on("close", () => fail(new UnavailableError("the replay's connection to NATS closed")));
  const ok = await new Promise<boolean>((resolve, reject) => {
    ready = resolve;
    failed = reject;
  });
  if (!ok) {
    close();
    return undefined;
  }
  return { close };
}
