/**
 * Hand-made CoAP datagrams for tests of bad input: an encoder that also builds broken packets, and a reader of
 * the answer's code. Not for production use.
 */
import { createSocket, type Socket } from "node:dgram";

export type Datagram = {
  type?: 0 | 1 | 2 | 3;
  /** "0.02" for POST, "0.01" GET, … */
  code: string;
  messageId?: number;
  token?: Uint8Array;
  options?: [number, Uint8Array | string][];
  payload?: Uint8Array | string;
};

const bytes = (v: Uint8Array | string) => (typeof v === "string" ? new TextEncoder().encode(v) : v);

function ext(n: number): { nibble: number; extra: number[] } {
  if (n < 13) return { nibble: n, extra: [] };
  if (n < 269) return { nibble: 13, extra: [n - 13] };
  return { nibble: 14, extra: [(n - 269) >> 8, (n - 269) & 0xff] };
}

export const option = { uriPath: 11, contentFormat: 12, uriQuery: 15, accept: 17, block1: 27 } as const;

/** Encodes a datagram; options must be given in ascending number order. */
export function encodeDatagram(d: Datagram): Buffer {
  const [cls, detail] = d.code.split(".").map(Number) as [number, number];
  const token = d.token ?? new Uint8Array([1, 2, 3, 4]);
  const mid = d.messageId ?? Math.floor(Math.random() * 65535);
  const out: number[] = [
    0x40 | ((d.type ?? 0) << 4) | token.length,
    (cls << 5) | detail,
    mid >> 8,
    mid & 0xff,
    ...token,
  ];
  let last = 0;
  for (const [num, value] of d.options ?? []) {
    const v = bytes(value);
    const delta = ext(num - last);
    const len = ext(v.length);
    out.push((delta.nibble << 4) | len.nibble, ...delta.extra, ...len.extra, ...v);
    last = num;
  }
  const payload = d.payload === undefined ? new Uint8Array() : bytes(d.payload);
  if (payload.length) out.push(0xff, ...payload);
  return Buffer.from(out);
}

/** The code of an answer as "2.01"; undefined when it is not a CoAP message. */
export function codeOf(datagram: Buffer): string | undefined {
  if (datagram.length < 4) return undefined;
  const c = datagram[1] ?? 0;
  return `${c >> 5}.${String(c & 31).padStart(2, "0")}`;
}

export type Decoded = {
  type: number;
  code: string;
  messageId: number;
  token: Buffer;
  paths: string[];
  payload: Buffer;
};

/** Decodes a well-formed datagram (enough for tests: Uri-Path and the payload); undefined otherwise. */
export function decodeDatagram(m: Buffer): Decoded | undefined {
  if (m.length < 4) return undefined;
  const tkl = (m[0] ?? 0) & 0x0f;
  let i = 4 + tkl;
  const token = m.subarray(4, i);
  const paths: string[] = [];
  let num = 0;
  while (i < m.length && m[i] !== 0xff) {
    const b = m[i++] ?? 0;
    let delta = b >> 4;
    let len = b & 0x0f;
    if (delta === 13) delta = 13 + (m[i++] ?? 0);
    else if (delta === 14) delta = 269 + ((m[i++] ?? 0) << 8) + (m[i++] ?? 0);
    if (len === 13) len = 13 + (m[i++] ?? 0);
    else if (len === 14) len = 269 + ((m[i++] ?? 0) << 8) + (m[i++] ?? 0);
    num += delta;
    if (num === option.uriPath) paths.push(m.subarray(i, i + len).toString("utf8"));
    i += len;
  }
  const payload = m[i] === 0xff ? m.subarray(i + 1) : Buffer.alloc(0);
  return {
    type: ((m[0] ?? 0) >> 4) & 3,
    code: codeOf(m) ?? "",
    messageId: ((m[2] ?? 0) << 8) | (m[3] ?? 0),
    token,
    paths,
    payload,
  };
}

/** A UDP client that sends datagrams and collects what comes back. */
export class DatagramClient {
  readonly socket: Socket;
  readonly answers: Buffer[] = [];
  readonly #waiters: (() => void)[] = [];
  readonly #port: number;
  /** Answers requests the server sends to this client (piggybacked in the ACK); none: they are ignored. */
  onRequest: ((d: Decoded) => Omit<Datagram, "type" | "messageId" | "token"> | undefined) | undefined;

  private constructor(socket: Socket, port: number) {
    this.socket = socket;
    this.#port = port;
    socket.on("message", (m, from) => {
      const d = decodeDatagram(m);
      if (d?.code.startsWith("0.") && d.code !== "0.00" && this.onRequest) {
        const answer = this.onRequest(d);
        if (answer) {
          const ack = encodeDatagram({ ...answer, type: 2, messageId: d.messageId, token: d.token });
          socket.send(ack, from.port, from.address);
        }
        return;
      }
      this.answers.push(m);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async open(port: number): Promise<DatagramClient> {
    const socket = createSocket("udp4");
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
    return new DatagramClient(socket, port);
  }

  send(datagram: Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(datagram, this.#port, "127.0.0.1", (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Sends and resolves with the answer carrying the same message id (piggybacked or separate by token). */
  async request(d: Datagram, timeoutMs = 10_000): Promise<Buffer> {
    const messageId = d.messageId ?? Math.floor(Math.random() * 65535);
    const token = d.token ?? new Uint8Array([9, 9, messageId >> 8, messageId & 0xff]);
    const datagram = encodeDatagram({ ...d, messageId, token });
    const matches = (m: Buffer) =>
      m.length >= 4 + token.length &&
      (((m[2] ?? 0) << 8) | (m[3] ?? 0)) === messageId &&
      (m[1] ?? 0) !== 0 &&
      Buffer.from(token).equals(m.subarray(4, 4 + token.length));
    const deadline = Date.now() + timeoutMs;
    await this.send(datagram);
    for (;;) {
      const found = this.answers.find(matches);
      if (found) return found;
      if (Date.now() > deadline) throw new Error("no answer");
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}
