/**
 * Requests from the hub to a device, sent from the server's own UDP socket (clients drop requests that come from
 * another port) through a node-coap Agent bound to it. One place that knows node-coap's client side.
 */

import type { IncomingMessage } from "coap";
import { Agent, type ObserveReadStream, type OutgoingMessage } from "coap";
import { UnavailableError } from "../../../core/errors.ts";
import { formatNumber } from "../coap-formats.ts";

export type Peer = { address: string; port: number };

/** The device did not answer at all (as opposed to answering with an error code). */
export class DeviceSilentError extends UnavailableError {
  override name = "DeviceSilentError";
}

export type DeviceRequest = {
  method: "GET" | "PUT" | "POST" | "DELETE";
  path: string;
  query?: readonly string[];
  accept?: number;
  format?: number;
  payload?: Uint8Array;
};

export type DeviceResponse = { code: string; format: number | undefined; payload: Buffer };

/** An observation in progress; `cancel` ends it actively (GET with Observe 1) or by Reset on the next notify. */
export type Observation = {
  first: DeviceResponse;
  cancel(how: "active" | "reset"): void;
};

export type DeviceRequestsOptions = {
  /** The server's socket; requests leave from it. */
  socket: import("node:dgram").Socket;
  /** Longest wait for an answer, retransmissions included. */
  timeoutMs: number;
  onError?: (err: unknown) => void;
};

const responseOf = (res: IncomingMessage): DeviceResponse => ({
  code: String(res.code),
  format: formatNumber(res.headers["Content-Format"]),
  payload: Buffer.isBuffer(res.payload) ? res.payload : Buffer.alloc(0),
});

export class DeviceRequests {
  readonly #agent: Agent;
  readonly #timeoutMs: number;

  constructor(o: DeviceRequestsOptions) {
    this.#agent = new Agent({ socket: o.socket });
    // Bun and Deno report socket errors through the agent; an unhandled one would end the process.
    this.#agent.on("error", (err: unknown) => o.onError?.(err));
    this.#timeoutMs = o.timeoutMs;
  }

  #request(peer: Peer, r: DeviceRequest, observe?: boolean): OutgoingMessage {
    return this.#agent.request({
      hostname: peer.address,
      port: peer.port,
      method: r.method,
      pathname: r.path,
      ...(r.query?.length ? { query: r.query.join("&") } : {}),
      ...(r.accept !== undefined ? { accept: r.accept } : {}),
      ...(r.format !== undefined ? { contentFormat: r.format } : {}),
      ...(observe ? { observe: true } : {}),
      confirmable: true,
    });
  }

  #await<T>(req: OutgoingMessage, onResponse: (res: IncomingMessage, done: (v: T) => void) => void, r: DeviceRequest) {
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new DeviceSilentError(`the device did not answer ${r.method} ${r.path} (${why})`));
      };
      const timer = setTimeout(() => {
        fail("timeout");
        this.#agent.abort(req);
      }, this.#timeoutMs);
      req.on("response", (res: IncomingMessage) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        onResponse(res, resolve);
      });
      req.on("timeout", () => fail("timeout"));
      req.on("error", () => fail("transport error"));
      req.end(r.payload ? Buffer.from(r.payload) : undefined);
    });
  }

  /** Sends one request and resolves with the device's answer (any code); rejects UnavailableError on silence. */
  send(peer: Peer, r: DeviceRequest): Promise<DeviceResponse> {
    return this.#await<DeviceResponse>(this.#request(peer, r), (res, done) => done(responseOf(res)), r);
  }

  /**
   * Starts an observation. `onNotify` gets every notification after the first answer; `onEnd` when the device
   * ends it (an error code, or the stream closes). Resolves once the device answered; a non-2.xx answer is returned
   * as `first` with nothing observed.
   */
  observe(
    peer: Peer,
    r: DeviceRequest,
    onNotify: (n: DeviceResponse) => void,
    onEnd: () => void,
  ): Promise<Observation> {
    const req = this.#request(peer, { ...r, method: "GET" }, true);
    return this.#await<Observation>(
      req,
      (res, done) => {
        const first = responseOf(res);
        const stream = res as ObserveReadStream;
        const observing =
          first.code.startsWith("2.") && typeof stream.close === "function" && res.headers.Observe !== undefined;
        let count = 0;
        if (observing) {
          stream.on("data", (payload: Buffer) => {
            // The first chunk is the answer itself.
            if (count++ === 0) return;
            const n: DeviceResponse = {
              code: String(stream.code),
              format: formatNumber(stream.headers["Content-Format"]),
              payload,
            };
            if (!n.code.startsWith("2.")) {
              stream.close();
              onEnd();
              return;
            }
            onNotify(n);
          });
          stream.on("end", onEnd);
        } else if (typeof stream.close === "function") {
          stream.close();
        }
        done({
          first,
          cancel: (how) => {
            if (observing) stream.close(how === "active");
          },
        });
      },
      r,
    );
  }
}
