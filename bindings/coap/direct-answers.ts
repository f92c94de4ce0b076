/**
 * Answers confirmable plain-CoAP facts (event and property values, TDs in one datagram) straight from the packet
 * node-coap parsed, without the request and response streams, timers and re-parsing node-coap spends per request
 * (most of its cost per request).
 * Only confirmable POST/PUT requests without Block1, Block2 or Observe that the plain handler takes as a fact come
 * this way; everything else goes to node-coap as before.
 *
 * The exchange follows node-coap's (and RFC 7252's) rules and shares node-coap's response cache:
 * - the answer piggybacks on the ACK when it is ready within node-coap's `piggybackReplyMs`; otherwise an empty
 *   ACK goes first and the answer follows as a confirmable message, retransmitted until the client acknowledges
 *   it (node-coap's ACK handling ends the retransmission through the cache entry);
 * - a retransmitted request gets the answer (or the empty ACK) again from the cache, and is otherwise ignored while
 *   its value is being stored (so a slow store never stores a value twice).
 */
import { randomInt } from "node:crypto";
import type { Socket } from "node:dgram";
import { parameters, type Server } from "coap";
import type { CoapError } from "./coap-errors.ts";
import type { RawOption } from "./plain/plain-coap.ts";

type Packet = {
  code?: string;
  confirmable?: boolean;
  ack?: boolean;
  reset?: boolean;
  messageId?: number;
  token?: Buffer;
  options?: RawOption[];
  payload?: Buffer;
};
type Peer = { address: string; port: number };
type Cached = Buffer & { sender?: { reset(): void } };
/** The parts of node-coap's server this relies on (node-coap 1.x). */
type ServerInternals = {
  _handle(packet: Packet, rsinfo: Peer): void;
  _lru: { peek(key: string): unknown; set(key: string, value: Cached): void };
  _sock: Socket | null;
  _options: { piggybackReplyMs: number };
  _clientIdentifier(request: { rsinfo: Peer }): string;
};

/** Stores the fact a request carries (resolves once stored), or undefined when the request is not one. */
export type FactTaker = (
  method: string,
  options: readonly RawOption[],
  payload: unknown,
) => Promise<unknown> | undefined;

const METHODS: Readonly<Record<string, string>> = { "0.02": "POST", "0.03": "PUT" };
const NOT_DIRECT = new Set<unknown>(["Block1", "Block2", "Observe"]);
const CON = 0;
const ACK = 2;

/** Pure: a CoAP message with no options (empty when `code` is "0.00"). */
export function coapMessage(type: number, code: string, messageId: number, token: Buffer, text?: string): Buffer {
  const dot = code.indexOf(".");
  const payload = text ? Buffer.from(text) : undefined;
  const tail = payload ? 1 + payload.length : 0;
  const out = Buffer.allocUnsafe(4 + token.length + tail);
  out[0] = 0x40 | (type << 4) | token.length;
  out[1] = (Number(code.slice(0, dot)) << 5) | Number(code.slice(dot + 1));
  out.writeUInt16BE(messageId, 2);
  token.copy(out, 4);
  if (payload) {
    out[4 + token.length] = 0xff;
    payload.copy(out, 5 + token.length);
  }
  return out;
}

/** Whether the server has the node-coap 1.x internals this module relies on. */
function hasInternals(s: Partial<ServerInternals>): s is ServerInternals {
  return (
    typeof s._handle === "function" &&
    typeof s._clientIdentifier === "function" &&
    typeof s._lru?.peek === "function" &&
    typeof s._lru?.set === "function" &&
    typeof s._options?.piggybackReplyMs === "number"
  );
}

/**
 * Routes the server's confirmable fact requests to `take`; `answerOf` maps a failure to its CoAP answer (the one
 * mapping of the plain handler). Returns false, changing nothing, when the installed node-coap lacks the internals
 * this relies on: then every request goes through node-coap as before.
 */
export function answerFactsDirectly(server: Server, take: FactTaker, answerOf: (err: unknown) => CoapError): boolean {
  const s = server as unknown as Partial<ServerInternals>;
  if (!hasInternals(s)) return false;
  const viaNodeCoap = s._handle.bind(server);
  const storing = new Set<string>();
  let nextId = randomInt(0x10000);
  const ignore = () => {};
  /** Sends unless the server stopped meanwhile (node-coap drops its socket on close; a closed one throws). */
  const send = (peer: Peer, message: Buffer) => {
    try {
      s._sock?.send(message, peer.port, peer.address, ignore);
    } catch {
      // The worker stopped while the value was being stored: there is nobody left to answer from.
    }
  };

  /** A separate answer: confirmable, sent again with growing waits until node-coap sees its ACK. */
  const sendConfirmable = (peer: Peer, code: string, token: Buffer, text?: string) => {
    if (!s._sock) return;
    nextId = (nextId + 1) & 0xffff;
    const message: Cached = coapMessage(CON, code, nextId, token, text);
    let wait = parameters.ackTimeout * 1000 * (1 + (parameters.ackRandomFactor - 1) * Math.random());
    let left = parameters.maxRetransmit;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const again = () => {
      send(peer, message);
      if (left-- > 0) {
        timer = setTimeout(again, wait);
        wait *= 2;
      }
    };
    message.sender = { reset: () => clearTimeout(timer) };
    s._lru.set(`${s._clientIdentifier({ rsinfo: peer })}/${nextId}`, message);
    again();
  };

  s._handle = (packet, rsinfo) => {
    const method = packet.code === undefined ? undefined : METHODS[packet.code];
    const token = packet.token ?? Buffer.alloc(0);
    const options = packet.options ?? [];
    const messageId = packet.messageId;
    if (
      method === undefined ||
      !packet.confirmable ||
      packet.ack ||
      packet.reset ||
      messageId === undefined ||
      token.length > 8 ||
      options.some((o) => NOT_DIRECT.has(o.name))
    ) {
      viaNodeCoap(packet, rsinfo);
      return;
    }
    const key = `${s._clientIdentifier({ rsinfo })}/${messageId}${token.toString("hex")}`;
    // A retransmission: answered or acknowledged (node-coap sends that again), or being stored (answered once stored).
    if (s._lru.peek(key) !== undefined) {
      viaNodeCoap(packet, rsinfo);
      return;
    }
    if (storing.has(key)) return;
    const stored = take(method, options, packet.payload);
    if (stored === undefined) {
      viaNodeCoap(packet, rsinfo);
      return;
    }
    storing.add(key);
    const peer = { address: rsinfo.address, port: rsinfo.port };
    let separate = false;
    const timer = setTimeout(() => {
      separate = true;
      const ack = coapMessage(ACK, "0.00", messageId, Buffer.alloc(0));
      s._lru.set(key, ack);
      send(peer, ack);
    }, s._options.piggybackReplyMs);
    const answer = (code: string, text?: string) => {
      clearTimeout(timer);
      storing.delete(key);
      if (separate) {
        sendConfirmable(peer, code, token, text);
        return;
      }
      const message = coapMessage(ACK, code, messageId, token, text);
      s._lru.set(key, message);
      send(peer, message);
    };
    stored.then(
      () => answer("2.04"),
      (err: unknown) => {
        const { code, message } = answerOf(err);
        answer(code, message);
      },
    );
  };
  return true;
}
