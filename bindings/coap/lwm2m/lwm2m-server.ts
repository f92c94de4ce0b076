/**
 * The LwM2M server's registration interface (Register, Update, De-register, lifetime expiry) on top of a CoAP
 * server, and what the hub records about it: each endpoint is a device, each of its object instances a Thing with
 * a generated TD, reported values property values, and register/update/de-register/sleep presence events.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, OutgoingMessage } from "coap";
import { RateLimitedError, UnavailableError, ValidationError } from "../../../core/errors.ts";
import type { EventLog } from "../../../core/event-log.ts";
import type { Logger } from "../../../core/log.ts";
import type { Presence } from "../../../core/messages.ts";
import { subjects } from "../../../core/subjects.ts";
import { type DeviceFact, factRequest } from "../../shared/device-facts.ts";
import { coapErrorOf } from "../coap-errors.ts";
import { formatNumber, LINK_FORMAT } from "../coap-formats.ts";
import { formatPath, type LwM2mNode, type LwM2mPath } from "../codec/index.ts";
import { type ObjectRegistry, objectRegistry } from "../objects/index.ts";
import { DeviceManagement } from "./device-management.ts";
import type { DeviceRequests, Peer } from "./device-requests.ts";
import { resourceValuesOf } from "./json-values.ts";
import { announcedInstances, type Link, parseLinkFormat } from "./link-format.ts";
import { parseRegisterParams, parseUpdateParams, queryRecord } from "./registration-params.ts";
import { expiresAt, type Registration, Registrations } from "./registrations.ts";
import { RequestQueue } from "./request-queue.ts";
import { affordanceName, thingDescriptionOf, thingIdOf } from "./thing-mapping.ts";

/** Who may register. LwM2M endpoint names are device ids. */
export interface EndpointGate {
  mayRegister(endpoint: string): boolean;
  /** An endpoint that may not register tried to: record it (e.g. as a provisioning request). */
  refused(endpoint: string, from: Peer): Promise<void>;
  /** Calls back when a device is disabled or revoked; returns an unsubscribe. */
  onDeactivated?(listener: (endpoint: string) => void): () => void;
}

/** Stores what a device published, after checking it may (the shared FactPublisher has this shape). */
export interface FactSink {
  /** `time`: the device's own time of a value (kept by the log when sane). */
  publish(device: string, fact: DeviceFact, data: unknown, time?: Date): Promise<unknown>;
}

export type Lwm2mServerOptions = {
  log: EventLog;
  facts?: FactSink;
  requests: DeviceRequests;
  gate: EndpointGate;
  logger: Logger;
  registry?: ObjectRegistry;
  now?: () => number;
  /** How long a queue-mode client listens after it last spoke (LwM2M's default is 93 s). */
  awakeMs?: number;
  /** Observe every object instance a client registers (except Security, Server, ACL, OSCORE). */
  autoObserve?: boolean;
  maxRegistrations?: number;
  /** Register requests accepted per source address in `windowMs`. */
  registerRate?: { max: number; windowMs: number };
};

/** Provisioning requests recorded per source address and minute for endpoints that may not register. */
const REFUSALS_PER_MINUTE = 10;

/** Objects that are not Things: Security (0) and OSCORE (21) are not readable by a server. */
const HIDDEN_OBJECTS = new Set([0, 21]);
/** Objects that are Things but not observed by default: Server (1), Access Control (2). */
const NOT_OBSERVED = new Set([1, 2]);

const source = (endpoint: string) => `devices/${endpoint}`;

export class Lwm2mServer {
  readonly registrations = new Registrations();
  readonly queue: RequestQueue;
  readonly management: DeviceManagement;
  readonly #o: Required<Pick<Lwm2mServerOptions, "awakeMs" | "autoObserve" | "maxRegistrations" | "registerRate">> &
    Lwm2mServerOptions;
  readonly #registry: ObjectRegistry;
  readonly #now: () => number;
  readonly #asleep = new Set<string>();
  readonly #rate = new Map<string, { start: number; count: number }>();
  readonly #refusals = new Map<string, { start: number; count: number }>();
  readonly #facts: FactSink;
  /** The client can take requests now: registered and described, and awake in queue mode. */
  onReachable: (r: Registration) => void = () => {};
  /** The client cannot take requests now: de-registered, expired, or asleep. */
  onUnreachable: (endpoint: string) => void = () => {};

  constructor(o: Lwm2mServerOptions) {
    this.#o = {
      awakeMs: 93_000,
      autoObserve: true,
      maxRegistrations: 100_000,
      registerRate: { max: 30, windowMs: 10_000 },
      ...o,
    };
    this.#registry = o.registry ?? objectRegistry;
    this.#now = o.now ?? Date.now;
    this.#facts = o.facts ?? {
      publish: (device, fact, data, time) =>
        o.log.append({ ...factRequest(device, fact, data), ...(time ? { time } : {}) }),
    };
    this.queue = new RequestQueue({ now: this.#now, registration: (e) => this.registrations.byEndpoint(e) });
    this.management = new DeviceManagement({
      requests: o.requests,
      queue: this.queue,
      registry: this.#registry,
      report: (r, path, node, time) => this.#report(r, path, node, time),
      onActivity: (e) => this.#activity(e),
      onError: (what, err) => o.logger.warn(`${what} failed`, { err }),
    });
  }

  /** Handles `/rd` requests; false when the request is not for the registration interface. */
  handle(req: IncomingMessage, res: OutgoingMessage): boolean {
    const path = optionStrings(req, "Uri-Path");
    if (path[0] !== "rd") return false;
    try {
      const method = String(req.method);
      if (path.length === 1 && method === "POST") this.#register(req, res);
      else if (path.length === 2 && method === "POST") this.#update(path[1] ?? "", req, res);
      else if (path.length === 2 && method === "DELETE") this.#deregister(path[1] ?? "", res);
      else reply(res, "4.05", "method not allowed");
    } catch (err) {
      const { code, message } = coapErrorOf(err);
      reply(res, code, message);
    }
    return true;
  }

  #links(req: IncomingMessage): Link[] | undefined {
    const format = formatNumber(req.headers["Content-Format"]);
    if (format !== undefined && format !== LINK_FORMAT) throw new ValidationError("unsupported content format");
    const payload = Buffer.isBuffer(req.payload) ? req.payload : Buffer.alloc(0);
    if (payload.length === 0) return undefined;
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(payload);
    } catch {
      throw new ValidationError("the link format payload is not UTF-8");
    }
    return parseLinkFormat(text);
  }

  /** Counts one more event for `key` in a fixed window; false once `max` is passed. */
  #withinLimit(
    map: Map<string, { start: number; count: number }>,
    key: string,
    max: number,
    windowMs: number,
  ): boolean {
    const now = this.#now();
    const entry = map.get(key);
    if (map.size > 10_000) map.clear();
    if (!entry || now - entry.start >= windowMs) {
      map.set(key, { start: now, count: 1 });
      return true;
    }
    return ++entry.count <= max;
  }

  #checkRate(address: string): void {
    const now = this.#now();
    const { max, windowMs } = this.#o.registerRate;
    const entry = this.#rate.get(address);
    if (!entry || now - entry.start >= windowMs) this.#rate.set(address, { start: now, count: 1 });
    else if (++entry.count > max) throw new RateLimitedError("too many registrations", windowMs - (now - entry.start));
    if (this.#rate.size > 10_000) this.#rate.clear();
  }

  #register(req: IncomingMessage, res: OutgoingMessage): void {
    const peer = { address: req.rsinfo.address, port: req.rsinfo.port };
    this.#checkRate(peer.address);
    const params = parseRegisterParams(queryRecord(optionStrings(req, "Uri-Query")));
    let links: Link[];
    try {
      links = this.#links(req) ?? [];
    } catch (err) {
      if (err instanceof ValidationError && err.message === "unsupported content format") {
        reply(res, "4.15", err.message);
        return;
      }
      throw err;
    }
    if (!this.#o.gate.mayRegister(params.endpoint)) {
      reply(res, "4.03", "unknown endpoint; ask for provisioning");
      // Many names from one address would flood the provisioning requests: record a few per address and minute.
      if (this.#withinLimit(this.#refusals, peer.address, REFUSALS_PER_MINUTE, 60_000)) {
        this.#o.gate
          .refused(params.endpoint, peer)
          .catch((err: unknown) => this.#o.logger.warn("recording a refused endpoint failed", { err }));
      }
      return;
    }
    const existing = this.registrations.byEndpoint(params.endpoint);
    if (!existing && this.registrations.size >= this.#o.maxRegistrations)
      throw new UnavailableError("too many registrations");
    const now = this.#now();
    const reg: Registration = {
      id: randomBytes(6).toString("hex"),
      endpoint: params.endpoint,
      peer,
      version: params.version,
      binding: params.binding,
      queueMode: params.queueMode,
      lifetimeS: params.lifetimeS,
      links,
      instances: announcedInstances(links).filter((i) => !HIDDEN_OBJECTS.has(i.objectId)),
      registeredAt: now,
      lastSeen: now,
      awakeUntil: now + this.#o.awakeMs,
    };
    this.registrations.add(reg);
    this.#asleep.delete(reg.endpoint);
    res.setOption("Location-Path", [Buffer.from("rd"), Buffer.from(reg.id)]);
    reply(res, "2.01");
    this.#o.logger.info("LwM2M client registered", {
      endpoint: reg.endpoint,
      version: reg.version,
      binding: reg.binding,
      queue: reg.queueMode,
    });
    void this.#setUp(reg);
  }

  /** After Register: presence, TDs (from Discover where the client answers), observations, waiting requests. */
  async #setUp(reg: Registration): Promise<void> {
    try {
      await this.#presence(reg, "connected");
      const described = await Promise.all(
        reg.instances.map(async (i) => {
          const path = `/${i.objectId}/${i.instanceId}`;
          const resourceIds = await this.management
            .discover(reg.endpoint, path)
            .then((links) => resourceIdsOf(links, i.objectId, i.instanceId))
            .catch(() => undefined);
          return thingDescriptionOf(
            { endpoint: reg.endpoint, ...i, ...(resourceIds ? { resourceIds } : {}) },
            this.#registry,
          );
        }),
      );
      if (this.registrations.byId(reg.id) !== reg) return;
      // Through the fact publisher, so a Thing id another device holds is not taken over.
      const refused = new Set<string>();
      await Promise.all(
        described.map((td) =>
          this.#facts.publish(reg.endpoint, { kind: "td", thing: td.id }, td).catch((err: unknown) => {
            refused.add(td.id);
            this.#o.logger.warn("a Thing of an LwM2M client was not described", { endpoint: reg.endpoint, err });
          }),
        ),
      );
      reg.instances = reg.instances.filter((i) => !refused.has(thingIdOf(reg.endpoint, i.objectId, i.instanceId)));
      reg.described = true;
      const observe = this.#o.autoObserve
        ? reg.instances.filter((i) => !NOT_OBSERVED.has(i.objectId)).map((i) => `/${i.objectId}/${i.instanceId}`)
        : [];
      if (this.registrations.byId(reg.id) !== reg) return;
      await this.management.reobserve(reg.endpoint, observe);
      if (this.registrations.byId(reg.id) === reg) this.onReachable(reg);
    } catch (err) {
      this.#o.logger.warn("setting up an LwM2M registration failed", { endpoint: reg.endpoint, err });
    }
  }

  #update(id: string, req: IncomingMessage, res: OutgoingMessage): void {
    const reg = this.registrations.byId(id);
    if (!reg) {
      reply(res, "4.04", "unknown registration");
      return;
    }
    const params = parseUpdateParams(queryRecord(optionStrings(req, "Uri-Query")));
    const links = this.#links(req);
    reg.peer = { address: req.rsinfo.address, port: req.rsinfo.port };
    if (params.lifetimeS !== undefined) reg.lifetimeS = params.lifetimeS;
    if (params.binding !== undefined) reg.binding = params.binding;
    if (params.queueMode !== undefined) reg.queueMode = params.queueMode;
    reg.lastSeen = this.#now();
    reply(res, "2.04");
    if (links) {
      reg.links = links;
      reg.instances = announcedInstances(links).filter((i) => !HIDDEN_OBJECTS.has(i.objectId));
      void this.#setUp(reg);
    } else {
      this.#activity(reg.endpoint, true);
    }
  }

  #deregister(id: string, res: OutgoingMessage): void {
    const reg = this.registrations.remove(id);
    if (!reg) {
      reply(res, "4.04", "unknown registration");
      return;
    }
    reply(res, "2.02");
    this.onUnreachable(reg.endpoint);
    this.management.forget(reg.endpoint, false);
    this.#o.logger.info("LwM2M client de-registered", { endpoint: reg.endpoint });
    void this.#presence(reg, "disconnected");
  }

  /** The client spoke: a queue-mode client is awake for a while; waiting requests go out. */
  #activity(endpoint: string, always = false): void {
    const reg = this.registrations.byEndpoint(endpoint);
    if (!reg) return;
    if (reg.queueMode) reg.awakeUntil = this.#now() + this.#o.awakeMs;
    if (always || this.#asleep.has(endpoint)) {
      const woke = this.#asleep.delete(endpoint);
      void this.#presence(reg, "connected");
      if (woke) this.onReachable(reg);
    }
    this.queue.pump(endpoint);
  }

  /** Ends an endpoint's registration at once (its device was disabled or revoked); its next Update gets 4.04. */
  evict(endpoint: string): void {
    const reg = this.registrations.byEndpoint(endpoint);
    if (!reg) return;
    this.registrations.remove(reg.id);
    this.onUnreachable(endpoint);
    this.management.forget(endpoint, false);
    this.#asleep.delete(endpoint);
    this.#o.logger.info("LwM2M registration ended: the device is no longer active", { endpoint });
    void this.#presence(reg, "disconnected");
  }

  /** Lifetime expiry, queue-mode sleep, expired waiting requests. Called periodically. */
  sweep(): void {
    const now = this.#now();
    for (const reg of this.registrations.expired(now)) {
      this.registrations.remove(reg.id);
      this.onUnreachable(reg.endpoint);
      this.management.forget(reg.endpoint, false);
      this.#asleep.delete(reg.endpoint);
      this.#o.logger.info("LwM2M registration expired", { endpoint: reg.endpoint });
      void this.#presence(reg, "disconnected");
    }
    for (const reg of this.registrations.all()) {
      if (reg.queueMode && reg.awakeUntil <= now && !this.#asleep.has(reg.endpoint)) {
        this.#asleep.add(reg.endpoint);
        this.onUnreachable(reg.endpoint);
        void this.#presence(reg, "asleep");
      }
    }
    this.queue.sweep();
  }

  #presence(reg: Registration, state: Presence["state"]): Promise<void> {
    const until =
      state === "asleep"
        ? expiresAt(reg)
        : state === "connected"
          ? reg.queueMode
            ? reg.awakeUntil
            : expiresAt(reg)
          : undefined;
    const data: Presence = {
      state,
      binding: "lwm2m",
      things: reg.instances.map((i) => thingIdOf(reg.endpoint, i.objectId, i.instanceId)),
      ...(until !== undefined ? { until: new Date(until).toISOString() } : {}),
    };
    return this.#o.log
      .append({
        subject: subjects.presence(reg.endpoint),
        type: "spokes.PresenceChanged",
        data,
        source: source(reg.endpoint),
      })
      .then(
        () => {},
        (err: unknown) => this.#o.logger.warn("recording presence failed", { endpoint: reg.endpoint, err }),
      );
  }

  /** Values a client reported become property values of its Things. */
  #report(reg: Registration, path: LwM2mPath, node: LwM2mNode, time?: Date): void {
    if (!reg.described) return;
    const instances: { instanceId: number; node: LwM2mNode }[] =
      node.kind === "object"
        ? node.instances.map((i) => ({ instanceId: i.id, node: i }))
        : path.instanceId !== undefined
          ? [{ instanceId: path.instanceId, node }]
          : [];
    const facts: { thing: string; name: string; value: unknown }[] = [];
    for (const { instanceId, node: n } of instances) {
      if (!reg.instances.some((i) => i.objectId === path.objectId && i.instanceId === instanceId)) continue;
      const thing = thingIdOf(reg.endpoint, path.objectId, instanceId);
      for (const [resourceId, value] of resourceValuesOf(n, path.resourceId)) {
        const name = affordanceName(this.#registry, path.objectId, resourceId);
        facts.push({ thing, name, value });
      }
    }
    for (const f of facts) {
      this.#facts
        .publish(reg.endpoint, { kind: "property", thing: f.thing, name: f.name }, f.value, time)
        .catch((err: unknown) =>
          this.#o.logger.warn("recording a reported value failed", {
            endpoint: reg.endpoint,
            path: formatPath(path),
            err,
          }),
        );
    }
  }

  close(): void {
    this.queue.clear(new UnavailableError("the LwM2M server stopped"));
    for (const reg of this.registrations.all()) this.management.forget(reg.endpoint, true);
  }
}

/** The string values of a repeated option (Uri-Path, Uri-Query), as node-coap parsed them. */
export function optionStrings(req: IncomingMessage, name: string): string[] {
  const options = ((req as unknown as { options?: unknown[] }).options ?? []) as {
    name: string | number;
    value: unknown;
  }[];
  return options
    .filter((o) => o.name === name)
    .map((o) => (Buffer.isBuffer(o.value) ? o.value.toString("utf8") : String(o.value)));
}

export function reply(res: OutgoingMessage, code: string, message?: string): void {
  res.code = code;
  res.end(message);
}

function resourceIdsOf(links: readonly Link[], objectId: number, instanceId: number): number[] {
  const prefix = `/${objectId}/${instanceId}/`;
  return links
    .map((l) => l.target)
    .filter((t) => t.startsWith(prefix))
    .map((t) => t.slice(prefix.length))
    .filter((t) => /^(0|[1-9][0-9]{0,4})$/.test(t))
    .map(Number);
}
