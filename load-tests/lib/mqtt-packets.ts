/**
 * Just enough MQTT 3.1.1 for load scenarios to act as devices over WebSocket from stock k6 (no extension):
 * CONNECT, PUBLISH at QoS 0/1, PUBACK, SUBSCRIBE, PINGREQ and DISCONNECT out; CONNACK, PUBACK, SUBACK, PUBLISH and
 * PINGRESP in. Plain data in, bytes out; no runtime APIs, so it runs in k6 and in Node alike.
 */

export function utf8(text: string): number[] {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

export function fromUtf8(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] ?? 0;
    const n = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
    let c = n === 1 ? b : b & (0xff >> (n + 1));
    for (let k = 1; k < n; k++) c = (c << 6) | ((bytes[i + k] ?? 0) & 63);
    out += String.fromCodePoint(c);
    i += n;
  }
  return out;
}

const u16 = (n: number) => [(n >> 8) & 255, n & 255];
const str = (s: string) => {
  const b = utf8(s);
  return [...u16(b.length), ...b];
};

function packet(first: number, body: number[]): Uint8Array {
  const len: number[] = [];
  let n = body.length;
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 128;
    len.push(digit);
  } while (n > 0);
  return new Uint8Array([first, ...len, ...body]);
}

export function connect(o: { clientId: string; username?: string; password?: string; keepAlive?: number }) {
  const flags = 0x02 | (o.username !== undefined ? 0x80 : 0) | (o.password !== undefined ? 0x40 : 0);
  return packet(0x10, [
    ...str("MQTT"),
    4,
    flags,
    ...u16(o.keepAlive ?? 60),
    ...str(o.clientId),
    ...(o.username !== undefined ? str(o.username) : []),
    ...(o.password !== undefined ? str(o.password) : []),
  ]);
}

/** PUBLISH, written straight into one buffer: the hot path of the MQTT scenario, where k6's JavaScript is slow. */
export function publish(topic: string | Uint8Array, payload: string, qos: 0 | 1, packetId = 0): Uint8Array {
  const t = typeof topic === "string" ? new Uint8Array(utf8(topic)) : topic;
  const body = isAscii(payload) ? undefined : utf8(payload);
  const payloadLength = body ? body.length : payload.length;
  const remaining = 2 + t.length + (qos > 0 ? 2 : 0) + payloadLength;
  let lengthBytes = 1;
  for (let n = remaining; n >= 128; n = Math.floor(n / 128)) lengthBytes++;
  const out = new Uint8Array(1 + lengthBytes + remaining);
  out[0] = 0x30 | (qos << 1);
  let i = 1;
  let n = remaining;
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 128;
    out[i++] = digit;
  } while (n > 0);
  out[i++] = t.length >> 8;
  out[i++] = t.length & 255;
  out.set(t, i);
  i += t.length;
  if (qos > 0) {
    out[i++] = packetId >> 8;
    out[i++] = packetId & 255;
  }
  if (body) out.set(body, i);
  else for (let k = 0; k < payload.length; k++) out[i + k] = payload.charCodeAt(k);
  return out;
}

function isAscii(s: string): boolean {
  for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) > 127) return false;
  return true;
}

export const puback = (packetId: number) => packet(0x40, u16(packetId));
export const subscribe = (packetId: number, topic: string, qos: 0 | 1) =>
  packet(0x82, [...u16(packetId), ...str(topic), qos]);
export const PINGREQ = new Uint8Array([0xc0, 0]);
export const DISCONNECT = new Uint8Array([0xe0, 0]);

export type Packet =
  | { type: "connack"; returnCode: number }
  | { type: "puback"; packetId: number }
  | { type: "suback"; packetId: number; granted: number[] }
  | { type: "publish"; topic: string; payload: string; qos: number; packetId?: number }
  | { type: "pingresp" }
  | { type: "other"; code: number };

function decode(first: number, b: Uint8Array): Packet {
  const at = (i: number) => b[i] ?? 0;
  switch (first >> 4) {
    case 2:
      return { type: "connack", returnCode: at(1) };
    case 4:
      return { type: "puback", packetId: (at(0) << 8) | at(1) };
    case 9:
      return { type: "suback", packetId: (at(0) << 8) | at(1), granted: [...b.subarray(2)] };
    case 13:
      return { type: "pingresp" };
    case 3: {
      const qos = (first >> 1) & 3;
      const topicLength = (at(0) << 8) | at(1);
      const topic = fromUtf8(b.subarray(2, 2 + topicLength));
      let i = 2 + topicLength;
      const packetId = qos > 0 ? (at(i) << 8) | at(i + 1) : undefined;
      if (qos > 0) i += 2;
      return { type: "publish", topic, qos, payload: fromUtf8(b.subarray(i)), ...(packetId ? { packetId } : {}) };
    }
    default:
      return { type: "other", code: first >> 4 };
  }
}

/** Splits a byte stream into packets; bytes of a packet not yet complete wait for the next chunk. */
export function packetReader(): (chunk: Uint8Array) => Packet[] {
  let buf = new Uint8Array(0);
  return (chunk) => {
    const joined = new Uint8Array(buf.length + chunk.length);
    joined.set(buf);
    joined.set(chunk, buf.length);
    buf = joined;
    const out: Packet[] = [];
    for (;;) {
      let len = 0;
      let mult = 1;
      let i = 1;
      for (; i < buf.length && i <= 4; i++) {
        const digit = buf[i] ?? 0;
        len += (digit & 127) * mult;
        mult *= 128;
        if ((digit & 128) === 0) break;
      }
      if (buf.length < 2 || i >= buf.length || buf.length < i + 1 + len) return out;
      out.push(decode(buf[0] ?? 0, buf.subarray(i + 1, i + 1 + len)));
      buf = buf.subarray(i + 1 + len);
    }
  };
}
