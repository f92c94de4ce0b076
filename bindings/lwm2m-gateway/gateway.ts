/**
 * The LwM2M gateway worker: the hub as one LwM2M 1.0 client (UDP, binding U) of an upstream LwM2M server,
 * exposing chosen hub Things as objects.
 *
 * - Values: a Read answers with the affordance's latest value, the last message on its EVENTS subject (a direct
 *   get, so no read model is needed and the answer is as fresh as the log). When a property's value is older
 *   than `freshness.maxAgeMs` (or missing), the Read first asks the device: it appends the action request
 *   `readproperty:{name}` (living as long as the wait) and answers with the first value the device reports on
 *   that subject within `freshness.readWaitMs`, else with the stored value (4.04 when there is none). Concurrent
 *   Reads of one property share one request. Observations always notify the stored value.
 * - Writes and Executes become `spokes.ActionRequested` on ACTIONS (a property write is the action
 *   `writeproperty:{name}`), answered 2.04 once stored; the device's binding delivers them.
 * - Observe: one watch on the exposed EVENTS subjects tells the observations what changed.
 * - The mapping (which Things, where, with which access) lives in JetStream (core/jetstream-gateway-mappings.ts),
 *   one subject per gateway endpoint. A mapping file, when configured, seeds it the first time; after that the
 *   stored mapping is the truth and is changed through GraphQL. The worker watches it: a change rebuilds the
 *   resource table and sends a registration Update with the new object links, with no restart.
 *
 * One UDP socket serves the server's requests and carries the gateway's own Register/Update requests (node-coap
 * server plus an agent on the server's socket), so the server always sees one address.
 */
import { randomUUID } from "node:crypto";
import { lookup } from "node:dns/promises";
import type { AddressInfo } from "node:net";
import { Agent, createServer, type IncomingMessage, type OutgoingMessage, type Server } from "coap";
import { propertyReadName, propertyWriteName } from "../../core/action-names.ts";
import { UnavailableError } from "../../core/errors.ts";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import type { JetStreamGatewayMappings } from "../../core/jetstream-gateway-mappings.ts";
import type { Logger } from "../../core/log.ts";
import { type GatewayMapping, type ResolvedExposure, resolveMapping } from "../../core/lwm2m-gateway-mapping.ts";
import { parseSubject, subjects } from "../../core/subjects.ts";
import { formatPath, type LwM2mPath, pathOf } from "../coap/codec/index.ts";
import { BootstrapSession } from "./bootstrap.ts";
import { type Freshness, NEVER_ASK, type StoredValue, shouldAsk } from "./freshness.ts";
import { parseRequest } from "./incoming.ts";
import { Observations } from "./observations.ts";
import { exchange, Registration } from "./registration.ts";
import { answer, encodeReply, type GatewayPorts, lwm2mPathOf, readNode, type ServerRequest } from "./requests.ts";
import { buildResourceTable, type ResourceTable } from "./resource-table.ts";

export type Lwm2mGatewayOptions = {
  log: JetStreamEventLog;
  mappings: JetStreamGatewayMappings;
  /** `coap://host:port` of the upstream LwM2M server; without it the gateway asks `bootstrapUrl` first. */
  serverUrl?: string;
  /** `coap://host:port` of an LwM2M bootstrap server. */
  bootstrapUrl?: string;
  endpoint: string;
  lifetimeSeconds: number;
  /** Default pmax: a notification is sent at least this often when the server set none. */
  notifyIntervalSeconds: number;
  /** Mapping used when none is stored yet (from the mapping file). */
  seed?: GatewayMapping;
  /** Local UDP port (0: any free port) and address. */
  port?: number;
  host?: string;
  /** When a Read asks the device for a property's value first. Default: never. */
  freshness?: Freshness;
  logger: Logger;
};

export class Lwm2mGateway {
  private readonly o: Lwm2mGatewayOptions;
  private readonly abort = new AbortController();
  private table: ResourceTable;
  private exposures: ResolvedExposure[] = [];
  private server: Server | undefined;
  private registration: Registration | undefined;
  private eventsWatch: AbortController | undefined;
  private bootstrap: BootstrapSession | undefined;
  /** `address:port` of the (bootstrap) server: the only peer whose requests are answered. */
  private peer: string | undefined;
  private lifetimeSeconds: number;
  private readonly observations: Observations;
  private readonly ports: GatewayPorts;
  /** Asks in flight, by EVENTS subject: concurrent Reads of one property share one request. */
  private readonly asking = new Map<string, Promise<StoredValue | undefined>>();

  constructor(o: Lwm2mGatewayOptions) {
    this.o = o;
    this.lifetimeSeconds = o.lifetimeSeconds;
    this.table = this.buildTable([]);
    this.observations = new Observations({
      defaults: { pminSeconds: 0, pmaxSeconds: o.notifyIntervalSeconds },
      read: async (obs) => encodeReply(await readNode(obs.path, this.table, this.ports.latest), obs.path, obs.accept),
      exists: (path) => this.table.exists(path),
    });
    this.ports = {
      latest: async (e) => (await this.stored(e))?.value,
      read: (e) => this.fresh(e),
      request: (e, input) => this.requestAction(e, input),
      triggerUpdate: () => this.registration?.updateNow(),
      setAttributes: (path, a) => this.observations.setAttributes(path, a),
    };
  }

  private buildTable(exposures: ResolvedExposure[]): ResourceTable {
    return buildResourceTable(exposures, { lifetimeSeconds: this.lifetimeSeconds, binding: "U" });
  }

  /** The local UDP address the gateway sends from and listens on. */
  address(): AddressInfo | undefined {
    return (this.server as unknown as { _sock?: { address(): AddressInfo } })?._sock?.address();
  }

  /** The registration location on the server (`/rd/...`), or undefined while not registered. */
  get location(): string | undefined {
    return this.registration?.current;
  }

  /** How many observations the server holds now. */
  get observing(): number {
    return this.observations.size;
  }

  async start(): Promise<void> {
    const server = createServer({ piggybackReplyMs: 500, reuseAddr: false }, (req, res) => void this.handle(req, res));
    server.on("error", (err: Error) => this.o.logger.warn("LwM2M gateway socket error", { err }));
    const port = this.o.port ?? 0;
    await new Promise<void>((resolve, reject) => {
      const fail = (cause: Error) =>
        reject(new UnavailableError(`the LwM2M gateway cannot listen on UDP port ${port} (taken?)`, { cause }));
      server.once("error", fail);
      server.listen(port, this.o.host ?? "0.0.0.0", () => {
        server.off("error", fail);
        resolve();
      });
    });
    this.server = server;
    const socket = (server as unknown as { _sock: import("node:dgram").Socket })._sock;
    const agent = new Agent({ socket });
    agent.on("error", (err: Error) => this.o.logger.debug("LwM2M gateway agent error", { err }));
    const stored = await this.o.mappings.get(this.o.endpoint);
    if (!stored && this.o.seed) await this.o.mappings.set(this.o.endpoint, this.o.seed, "mapping file");
    const initial = stored?.mapping ?? this.o.seed;
    if (initial) this.apply(initial);
    void this.followMappings();
    void this.connect(agent);
  }

  /** Bootstraps when no server is configured (retrying until it works), then registers. */
  private async connect(agent: Agent): Promise<void> {
    let serverUrl = this.o.serverUrl;
    for (let backoff = 1000; !serverUrl && !this.abort.signal.aborted; backoff = Math.min(backoff * 2, 30_000)) {
      try {
        const result = await this.bootstrapOnce(agent);
        serverUrl = result.serverUrl;
        if (result.lifetimeSeconds) this.lifetimeSeconds = result.lifetimeSeconds;
        this.table = this.buildTable(this.exposures);
        this.o.logger.info("bootstrapped", { server: serverUrl });
      } catch (err) {
        this.o.logger.warn("LwM2M bootstrap failed; retrying", { err, retryInMs: backoff });
        await new Promise((r) => setTimeout(r, backoff));
      }
    }
    let server: { host: string; port: number } | undefined;
    for (
      let backoff = 1000;
      serverUrl && !server && !this.abort.signal.aborted;
      backoff = Math.min(backoff * 2, 30_000)
    ) {
      server = await this.resolvePeer(serverUrl).catch(async (err: unknown) => {
        this.o.logger.warn("cannot resolve the LwM2M server; retrying", { err, retryInMs: backoff });
        await new Promise((r) => setTimeout(r, backoff));
        return undefined;
      });
    }
    if (!server || this.abort.signal.aborted) return;
    this.registration = new Registration({
      agent,
      server,
      endpoint: this.o.endpoint,
      lifetimeSeconds: this.lifetimeSeconds,
      objectLinks: () => this.table.objectLinks,
      logger: this.o.logger,
      // A new registration starts with no observations (LwM2M 1.0): the server observes again.
      onRegistered: () => this.observations.clear(),
    });
    this.registration.start();
  }

  /**
   * Resolves a server URL to the one address and port the gateway talks to and takes requests from: with NoSec,
   * answering anyone else would let any host on the network write to the hub's Things.
   */
  private async resolvePeer(serverUrl: string): Promise<{ host: string; port: number }> {
    const url = new URL(serverUrl);
    const { address } = await lookup(url.hostname.replace(/^\[|\]$/g, ""), { family: 4 });
    const peer = { host: address, port: Number(url.port || 5683) };
    this.peer = `${peer.host}:${peer.port}`;
    return peer;
  }

  private async bootstrapOnce(agent: Agent) {
    const server = await this.resolvePeer(this.o.bootstrapUrl as string);
    const session = new BootstrapSession();
    this.bootstrap = session;
    try {
      const res = await exchange(agent, server, "POST", "/bs", `ep=${encodeURIComponent(this.o.endpoint)}`);
      if (res.code !== "2.04") throw new Error(`Bootstrap-Request answered ${res.code}`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no Bootstrap-Finish")), 60_000);
      });
      return await Promise.race([session.finished, timeout]).finally(() => clearTimeout(timer));
    } finally {
      this.bootstrap = undefined;
    }
  }

  private async followMappings(): Promise<void> {
    try {
      for await (const m of this.o.mappings.watch(this.o.endpoint, this.abort.signal)) {
        try {
          this.apply(m.mapping);
          this.o.logger.info("LwM2M gateway mapping applied", { revision: m.revision, by: m.changedBy });
          this.registration?.updateNow();
        } catch (err) {
          this.o.logger.warn("LwM2M gateway mapping refused", { err });
        }
      }
    } catch (err) {
      if (!this.abort.signal.aborted) this.o.logger.error("LwM2M gateway stopped following its mapping", { err });
    }
  }

  private apply(mapping: GatewayMapping): void {
    const exposures = resolveMapping(mapping);
    this.exposures = exposures;
    this.table = this.buildTable(exposures);
    this.observations.prune();
    this.watchValues();
  }

  private watchValues(): void {
    this.eventsWatch?.abort();
    const filter = [
      ...new Set(
        this.exposures
          .filter((e) => e.kind !== "action")
          .map((e) => (e.kind === "property" ? subjects.property(e.thing, e.name) : subjects.event(e.thing, e.name))),
      ),
    ];
    if (filter.length === 0) return;
    const watch = new AbortController();
    this.eventsWatch = watch;
    void (async () => {
      try {
        for await (const event of this.o.log.watch({ stream: "EVENTS", filter, signal: watch.signal })) {
          const a = parseSubject(event.subject);
          if (a.kind !== "property" && a.kind !== "event") continue;
          for (const e of this.exposures) {
            if (e.thing === a.thing && e.name === a.name && e.kind === a.kind) {
              this.observations.changed(pathOf([e.objectId, e.instanceId, e.resourceId]));
            }
          }
        }
      } catch (err) {
        if (!watch.signal.aborted) this.o.logger.error("LwM2M gateway stopped watching values", { err });
      }
    })();
  }

  /** The affordance's last value on EVENTS, with its time and sequence. */
  private async stored(e: ResolvedExposure): Promise<StoredValue | undefined> {
    if (e.kind === "action") return undefined;
    const subject = e.kind === "property" ? subjects.property(e.thing, e.name) : subjects.event(e.thing, e.name);
    const m = await this.o.log.jsm.direct.getMessage("EVENTS", { last_by_subj: subject }).catch(() => null);
    if (!m) return undefined;
    let value: unknown;
    try {
      value = m.json();
    } catch {
      return undefined;
    }
    const time = m.header?.get("ce-time") || m.header?.get("ce-received") || m.time.toISOString();
    return { value, time, seq: m.seq };
  }

  /** What a Read answers: the stored value, or the device's fresh report when the stored one is stale. */
  private async fresh(e: ResolvedExposure): Promise<unknown> {
    const stored = await this.stored(e);
    const freshness = this.o.freshness ?? NEVER_ASK;
    if (!shouldAsk(e, stored, Date.now(), freshness)) return stored?.value;
    const subject = subjects.property(e.thing, e.name);
    let asked = this.asking.get(subject);
    if (!asked) {
      asked = this.ask(e, subject, stored, freshness.readWaitMs).finally(() => this.asking.delete(subject));
      this.asking.set(subject, asked);
    }
    return ((await asked) ?? stored)?.value;
  }

  /**
   * Appends `readproperty:{name}` and waits up to `waitMs` for a value stored on `subject` after `stored` (the
   * watch starts from the sequence after it, so a report that comes before the watch is ready is not missed).
   */
  private async ask(
    e: ResolvedExposure,
    subject: string,
    stored: StoredValue | undefined,
    waitMs: number,
  ): Promise<StoredValue | undefined> {
    const watch = new AbortController();
    const signal = AbortSignal.any([watch.signal, this.abort.signal]);
    const timer = setTimeout(() => watch.abort(), waitMs);
    try {
      const from = stored ? stored.seq + 1 : (await this.o.log.jsm.streams.info("EVENTS")).state.last_seq + 1;
      const reported = (async () => {
        for await (const event of this.o.log.watch({ stream: "EVENTS", filter: subject, from, signal })) {
          if (event.type === "spokes.PropertyReported") return { value: event.data, time: event.time, seq: event.seq };
        }
        return undefined;
      })();
      // The watch gives up when the wait is over; neither outcome may become an unhandled rejection.
      const answered = reported.catch((err: unknown) => {
        if (!signal.aborted) this.o.logger.warn("LwM2M gateway could not watch for a read value", { err });
        return undefined;
      });
      await this.o.log.append({
        subject: subjects.actionRequest(e.thing, propertyReadName(e.name)),
        type: "spokes.ActionRequested",
        data: { actionId: randomUUID(), ttlMs: waitMs, requestedBy: this.o.endpoint, op: "readproperty" },
        source: `lwm2m-gateway/${this.o.endpoint}`,
      });
      return await answered;
    } catch (err) {
      this.o.logger.warn("LwM2M gateway could not ask a device for a value; answering the stored one", { err });
      return undefined;
    } finally {
      clearTimeout(timer);
      watch.abort();
    }
  }

  private async requestAction(e: ResolvedExposure, input: unknown): Promise<void> {
    const name = e.kind === "property" ? propertyWriteName(e.name) : e.name;
    await this.o.log.append({
      subject: subjects.actionRequest(e.thing, name),
      type: "spokes.ActionRequested",
      data: {
        actionId: randomUUID(),
        ...(input === undefined ? {} : { input }),
        requestedBy: this.o.endpoint,
        op: e.kind === "property" ? "writeproperty" : "invokeaction",
      },
      source: `lwm2m-gateway/${this.o.endpoint}`,
    });
  }

  private async handle(req: IncomingMessage, res: OutgoingMessage): Promise<void> {
    // A reply the network refuses (Bun reports ECONNREFUSED for UDP) must not become an unhandled error.
    res.on("error", (err: Error) => this.o.logger.debug("LwM2M reply not sent", { err }));
    try {
      if (`${req.rsinfo.address}:${req.rsinfo.port}` !== this.peer) return this.send(res, "4.03");
      const r = parseRequest(req);
      const token = req._packet.token ?? Buffer.alloc(0);
      const key = `${req.rsinfo.address}:${req.rsinfo.port}/${token.toString("hex")}`;
      const observe = req.headers.Observe;
      if (r.method === "GET" && observe === 1) this.observations.cancel(key);
      const path = lwm2mPathOf(r.path);
      if (r.method === "GET" && observe === 0 && path) return await this.observe(key, path, r, res);
      const reply = this.bootstrap ? this.bootstrap.handle(r) : await answer(r, this.table, this.ports);
      this.send(res, reply.code, reply.format, reply.payload);
    } catch (err) {
      this.o.logger.warn("LwM2M gateway request failed", { err });
      this.send(res, "5.00");
    }
  }

  private async observe(key: string, path: LwM2mPath, r: ServerRequest, res: OutgoingMessage): Promise<void> {
    const reply = encodeReply(await readNode(path, this.table, this.ports.latest), path, r.accept);
    const stream = res as unknown as import("coap").ObserveWriteStream;
    if (reply.code !== "2.05") {
      stream.statusCode = reply.code;
      stream.end();
      return;
    }
    this.o.logger.debug("observed", { path: formatPath(path) });
    this.observations.add({ key, path, accept: r.accept, stream }, reply);
  }

  private send(res: OutgoingMessage, code: string, format?: number, payload?: Uint8Array): void {
    if (res.writableEnded) return;
    res.code = code;
    if (format !== undefined) res.setOption("Content-Format", format);
    res.end(payload ? Buffer.from(payload) : undefined);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.eventsWatch?.abort();
    this.observations.clear();
    await this.registration?.stop();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
