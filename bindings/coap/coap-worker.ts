/**
 * The CoAP binding worker: one UDP socket serving the LwM2M registration interface (`/rd`), the plain-CoAP
 * device paths and the provisioning requests, and sending requests to devices from that same socket.
 */
import type { Socket } from "node:dgram";
import { createServer, type IncomingMessage, type OutgoingMessage, type Server } from "coap";
import type { DeviceAuthenticator } from "../../core/devices.ts";
import type { EventLog } from "../../core/event-log.ts";
import type { Logger } from "../../core/log.ts";
import { ActionDispatcher, DEFAULT_POLICY } from "../actions/dispatcher.ts";
import type { ProvisioningHandler } from "../provisioning/handler.ts";
import { FactPublisher } from "../shared/fact-publisher.ts";
import { ThingOwnership } from "../shared/ownership.ts";
import { PresenceReporter } from "../shared/presence.ts";
import { answerFactsDirectly } from "./direct-answers.ts";
import { Lwm2mActionChannel } from "./lwm2m/action-channel.ts";
import { DeviceRequests } from "./lwm2m/device-requests.ts";
import { type EndpointGate, type FactSink, Lwm2mServer, reply } from "./lwm2m/lwm2m-server.ts";
import { objectRegistry } from "./objects/index.ts";
import { type PlainCoap, plainCoap } from "./plain/plain-coap.ts";
import { provisioningCoap } from "./plain/provisioning-coap.ts";

/** A handler for requests outside `/rd`; returns false when it does not serve the path. */
export type CoapHandler = (req: IncomingMessage, res: OutgoingMessage) => boolean;

export type CoapWorkerOptions = {
  log: EventLog;
  gate: EndpointGate;
  logger: Logger;
  port: number;
  host?: string;
  /** Longest wait for a device's answer, retransmissions included. */
  requestTimeoutMs?: number;
  awakeMs?: number;
  autoObserve?: boolean;
  sweepMs?: number;
  registerRate?: { max: number; windowMs: number };
  /** Checks device tokens of plain-CoAP devices; without it only LwM2M is served. */
  authenticator?: DeviceAuthenticator;
  /** Largest plain-CoAP payload accepted (after block-wise reassembly). Default 64 KiB. */
  maxPayloadBytes?: number;
  /** Shared with other bindings when given; otherwise the worker opens (and closes) its own. */
  ownership?: ThingOwnership;
  dispatcher?: ActionDispatcher;
  /** Serves `provisioning/requests` (the same handler as the HTTP endpoints); without it those paths are 4.04. */
  provisioning?: ProvisioningHandler;
};

export class CoapWorker {
  readonly server: Server;
  #lwm2m: Lwm2mServer | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #port = 0;
  #owned: { close(): Promise<void> }[] = [];
  #ownership: ThingOwnership | undefined;
  #dispatcher: ActionDispatcher | undefined;
  readonly #detach = new Map<string, () => void>();

  private constructor(server: Server) {
    this.server = server;
  }

  get lwm2m(): Lwm2mServer {
    if (!this.#lwm2m) throw new Error("the CoAP worker has not started");
    return this.#lwm2m;
  }

  get port(): number {
    return this.#port;
  }

  get ownership(): ThingOwnership {
    if (!this.#ownership) throw new Error("the CoAP worker has not started");
    return this.#ownership;
  }

  get dispatcher(): ActionDispatcher {
    if (!this.#dispatcher) throw new Error("the CoAP worker has not started");
    return this.#dispatcher;
  }

  /** Binds the UDP port and starts serving. */
  static async start(o: CoapWorkerOptions): Promise<CoapWorker> {
    const logger = o.logger;
    let handlers: { lwm2m?: Lwm2mServer; plain?: PlainCoap; provisioning?: CoapHandler } = {};
    const server = createServer({ type: "udp4" }, (req: IncomingMessage, res: OutgoingMessage) => {
      try {
        if (handlers.lwm2m?.handle(req, res)) return;
        if (handlers.plain?.handle(req, res)) return;
        if (handlers.provisioning?.(req, res)) return;
        reply(res, "4.04", "not found");
      } catch (err) {
        logger.warn("a CoAP request failed", { err });
        reply(res, "5.00", "internal error");
      }
    });
    server.on("error", (err: unknown) => logger.warn("CoAP server error", { err }));
    keyBlock1ByPath(server);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(o.port, o.host ?? "0.0.0.0", (err?: Error) => (err ? reject(err) : resolve()));
    });
    const worker = new CoapWorker(server);
    const ownership = o.ownership ?? (await ThingOwnership.open(o.log, logger));
    if (!o.ownership) worker.#owned.push(ownership);
    worker.#ownership = ownership;
    const dispatcher =
      o.dispatcher ??
      (await ActionDispatcher.open({
        log: o.log,
        ownerOf: (thing) => ownership.ownerOf(thing),
        logger: logger.child("actions"),
        // LwM2M clients get one request at a time; the next goes once the client answered.
        policy: (device) => (worker.#lwm2m?.registrations.byEndpoint(device) ? { mode: "ordered" } : DEFAULT_POLICY),
      }));
    if (!o.dispatcher) worker.#owned.push(dispatcher);
    worker.#dispatcher = dispatcher;
    const socket = server._sock as Socket;
    worker.#port = socket.address().port;
    const requests = new DeviceRequests({
      socket,
      timeoutMs: o.requestTimeoutMs ?? 30_000,
      onError: (err) => logger.debug("CoAP client error", { err }),
    });
    // LwM2M values may carry the device's own time; the publisher keeps it.
    const facts: FactSink = new FactPublisher(o.log, ownership);
    const lwm2m = new Lwm2mServer({
      log: o.log,
      facts,
      requests,
      gate: o.gate,
      logger: logger.child("lwm2m"),
      ...(o.awakeMs !== undefined ? { awakeMs: o.awakeMs } : {}),
      ...(o.autoObserve !== undefined ? { autoObserve: o.autoObserve } : {}),
      ...(o.registerRate ? { registerRate: o.registerRate } : {}),
    });
    worker.#lwm2m = lwm2m;
    lwm2m.onReachable = (reg) => {
      worker.#detach.get(reg.endpoint)?.();
      const channel = new Lwm2mActionChannel({
        endpoint: reg.endpoint,
        management: lwm2m.management,
        registry: objectRegistry,
        reply: (r) => {
          dispatcher
            .report(reg.endpoint, r, "lwm2m")
            .catch((err: unknown) => logger.warn("recording an action reply failed", { err }));
        },
      });
      worker.#detach.set(reg.endpoint, dispatcher.attach(reg.endpoint, channel));
    };
    const unsubscribe = o.gate.onDeactivated?.((endpoint) => lwm2m.evict(endpoint));
    if (unsubscribe) worker.#owned.unshift({ close: async () => unsubscribe() });
    lwm2m.onUnreachable = (endpoint) => {
      worker.#detach.get(endpoint)?.();
      worker.#detach.delete(endpoint);
    };
    const plain = o.authenticator
      ? plainCoap({
          log: o.log,
          authenticator: o.authenticator,
          facts,
          ownership,
          dispatcher,
          presence: new PresenceReporter({
            log: o.log,
            binding: "coap",
            thingsOf: (d) => ownership.thingsOf(d),
            logger,
          }),
          logger: logger.child("plain"),
          maxPayloadBytes: o.maxPayloadBytes ?? 64 * 1024,
        })
      : undefined;
    const provisioning = o.provisioning
      ? provisioningCoap({ handler: o.provisioning, logger: logger.child("provisioning") })
      : undefined;
    handlers = { lwm2m, ...(plain ? { plain } : {}), ...(provisioning ? { provisioning } : {}) };
    if (plain) {
      if (!answerFactsDirectly(server, plain.fact, plain.answerOf)) {
        logger.warn("this node-coap lacks the internals for direct answers; plain-CoAP values go through node-coap");
      }
      // A token remembered from before a revocation must not outlive it, even if the device is enabled again.
      const forget = o.authenticator?.onDeactivated((device) => plain.forget(device));
      if (forget) worker.#owned.unshift({ close: async () => forget() });
    }
    worker.#timer = setInterval(() => lwm2m.sweep(), o.sweepMs ?? 1000);
    worker.#timer.unref?.();
    return worker;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    for (const detach of this.#detach.values()) detach();
    this.#lwm2m?.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const o of this.#owned.reverse()) await o.close();
  }
}

type CacheKeyed = { _toCacheKey(request: IncomingMessage, packet: RawPacket): string | null };
type RawPacket = { token?: Buffer; options?: { name: string | number; value: unknown }[] };

/**
 * node-coap joins Block1 blocks by token, but RFC 7959 lets a client use a new token per block (libcoap does):
 * key blockwise uploads by client address and path instead, so such uploads reassemble.
 */
function keyBlock1ByPath(server: Server): void {
  const s = server as unknown as CacheKeyed;
  const byToken = s._toCacheKey.bind(server);
  s._toCacheKey = (request, packet) => {
    const options = packet.options ?? [];
    if (!options.some((o) => o.name === "Block1")) return byToken(request, packet);
    const path = options
      .filter((o) => o.name === "Uri-Path")
      .map((o) => (Buffer.isBuffer(o.value) ? o.value.toString("hex") : String(o.value)))
      .join("/");
    return `block1/${request.rsinfo.address}:${request.rsinfo.port}/${path}`;
  };
}
