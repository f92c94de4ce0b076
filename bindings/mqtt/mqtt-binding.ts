/**
 * The hub's MQTT 3.1.1 endpoint (aedes, embedded) over TCP, WebSocket and optionally TLS. Devices log in with
 * username = device id and password = device token (or a client certificate on TLS); every publish and subscribe
 * is checked against what the device owns. What devices publish goes straight into the event log: a QoS 1
 * PUBACK is sent only after JetStream stored the message; QoS 0 is sent on without JetStream's acknowledgement,
 * with a bounded number not yet read by the server. Device messages are never routed to other clients: the only
 * messages the endpoint sends are actions (through the dispatcher) and the reasons it dropped a message.
 */
import { createServer as createTcpServer, type Server } from "node:net";
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { Aedes, type Client, type PublishPacket, type Subscription } from "aedes";
import { createWebSocketStream, WebSocketServer } from "ws";
import { z } from "zod";
import type { DeviceAuthenticator } from "../../core/devices.ts";
import { UnavailableError, ValidationError } from "../../core/errors.ts";
import { type EventLog, issuesOf } from "../../core/event-log.ts";
import type { Logger } from "../../core/log.ts";
import { json } from "../../core/messages.ts";
import type { ActionDispatcher } from "../actions/dispatcher.ts";
import { parseJsonPayload } from "../shared/device-facts.ts";
import { FactPublisher } from "../shared/fact-publisher.ts";
import type { ThingOwnership } from "../shared/ownership.ts";
import { PresenceReporter } from "../shared/presence.ts";
import { isTransient } from "../shared/problem.ts";
import { mqttActionChannel, PubackTracker } from "./action-channel.ts";
import { connectError, dropNotice } from "./reasons.ts";
import { errorsTopic, parsePublishTopic, parseSubscribeFilter, type SubscribeFilter } from "./topics.ts";

export type MqttTls = { port: number; key: string | Buffer; cert: string | Buffer; ca?: string | Buffer };

export type MqttBindingOptions = {
  log: EventLog;
  authenticator: DeviceAuthenticator;
  ownership: ThingOwnership;
  dispatcher: ActionDispatcher;
  logger: Logger;
  /** TCP port (0: any free port). */
  port: number;
  host?: string;
  /** WebSocket port; none when absent. */
  wsPort?: number;
  tls?: MqttTls;
  /** Largest payload stored, in bytes (the event log's limit). */
  maxPayloadBytes?: number;
  /** QoS 0 messages not yet read by nats-server before the endpoint stops reading from devices. Default 20,000. */
  maxInFlightQos0?: number;
};

export type MqttPorts = { tcp: number; ws?: number; tls?: number };

/** A device's reply on `things/{thing}/action-status/{name}`. */
const actionStatus = z.discriminatedUnion("status", [
  z.object({ actionId: z.string().min(1).max(256), status: z.literal("completed"), output: json.optional() }),
  z.object({ actionId: z.string().min(1).max(256), status: z.literal("failed"), error: z.string().min(1).max(2000) }),
]);

/** Topic a handled publish is moved to, so aedes routes it to nobody (devices cannot subscribe to `$` topics). */
const HANDLED = "$spokes/handled";

type Session = { device: string; filters: Map<string, SubscribeFilter>; detach?: () => void };

export class MqttBinding {
  readonly ports: MqttPorts;
  private readonly broker: Aedes;
  private readonly servers: { close(cb: () => void): void }[];
  private readonly stopListening: () => void;

  private constructor(broker: Aedes, servers: { close(cb: () => void): void }[], ports: MqttPorts, stop: () => void) {
    this.broker = broker;
    this.servers = servers;
    this.ports = ports;
    this.stopListening = stop;
  }

  static async start(o: MqttBindingOptions): Promise<MqttBinding> {
    const logger = o.logger;
    const limits = o.maxPayloadBytes ? { maxPayloadBytes: o.maxPayloadBytes } : undefined;
    const facts = new FactPublisher(o.log, o.ownership, limits);
    const presence = new PresenceReporter({
      log: o.log,
      binding: "mqtt",
      thingsOf: (d) => o.ownership.thingsOf(d),
      logger,
    });
    const acks = new PubackTracker();
    // Weak: a client that logged in but never became ready (e.g. refused afterwards) must not be kept.
    const sessions = new WeakMap<Client, Session>();
    const byDevice = new Map<string, Set<Client>>();
    const maxQos0 = o.maxInFlightQos0 ?? 20_000;
    let qos0InFlight = 0;
    let qos0Waiters: (() => void)[] = [];

    const broker = await Aedes.createBroker({ id: `spokes-mqtt-${process.pid}` });
    // The hub picks the ids of its own QoS 1 publishes and learns of each PUBACK where aedes clears the id.
    const persistence = (broker as unknown as { persistence: Record<string, unknown> }).persistence;
    const clear = (persistence.outgoingClearMessageId as (...a: unknown[]) => unknown).bind(persistence);
    persistence.outgoingClearMessageId = (client: Client, packet: { messageId?: number }, ...rest: unknown[]) => {
      acks.acknowledged(client, packet?.messageId);
      return clear(client, packet, ...rest);
    };

    const drop = (client: Client | null, packet: PublishPacket, err: unknown) => {
      const session = client ? sessions.get(client) : undefined;
      const notice = dropNotice(packet.topic, err);
      logger.warn("dropped a device message", {
        device: session?.device,
        topic: notice.topic,
        code: notice.code,
        reason: notice.message,
      });
      if (client && session && !client.closed && session.filters.has(errorsTopic(session.device))) {
        client.publish(
          {
            cmd: "publish",
            topic: errorsTopic(session.device),
            payload: Buffer.from(JSON.stringify(notice)),
            qos: 0,
            retain: false,
            dup: false,
          },
          () => {},
        );
      }
    };

    broker.authenticate = (client, username, password, done) => {
      const socket = client.conn as Partial<TLSSocket>;
      const cert = socket.authorized ? socket.getPeerCertificate?.(false)?.raw : undefined;
      o.authenticator
        .authenticate({
          ...(username ? { device: username } : {}),
          ...(password?.length ? { token: password.toString("utf8") } : {}),
          ...(cert ? { certificate: new Uint8Array(cert) } : {}),
        })
        .then(
          ({ device }) => {
            sessions.set(client, { device, filters: new Map() });
            done(null, true);
          },
          (err: unknown) => {
            logger.info("refused an MQTT login", { clientId: client.id, reason: (err as Error).name });
            done(connectError(err), false);
          },
        );
    };

    broker.authorizePublish = (client, packet, done) => {
      const session = client ? sessions.get(client) : undefined;
      if (!client || !session) return done(new Error("not logged in"));
      if (!o.authenticator.isActive(session.device)) {
        client.close();
        return done(new Error("the device is no longer active"));
      }
      const handled = (err?: unknown) => {
        if (err !== undefined) {
          if (isTransient(err)) {
            logger.warn("could not store a device message; closing the connection", { device: session.device, err });
            return done(err instanceof Error ? err : new UnavailableError("not stored"));
          }
          drop(client, packet, err);
        }
        packet.topic = HANDLED;
        done(null);
      };
      let stored: Promise<unknown>;
      try {
        const topic = parsePublishTopic(packet.topic);
        const data = parseJsonPayload(packet.payload as Buffer);
        if (topic.kind === "action-status") {
          const reply = actionStatus.safeParse(data);
          if (!reply.success) throw new ValidationError("the action status is invalid", issuesOf(reply.error));
          stored = o.dispatcher.report(session.device, reply.data, "mqtt");
        } else {
          // QoS 0 values go without JetStream's acknowledgement: the device accepted loss, the hub saves the work.
          stored = facts.publish(session.device, topic, data, undefined, { acknowledged: packet.qos > 0 });
        }
      } catch (err) {
        return handled(err);
      }
      if (packet.qos > 0) {
        stored.then(() => handled(), handled);
        return;
      }
      // QoS 0: on its way; the device does not wait. Reading pauses while too many are in flight.
      qos0InFlight++;
      const finished = () => {
        qos0InFlight--;
        if (qos0InFlight < maxQos0 && qos0Waiters.length) {
          const w = qos0Waiters;
          qos0Waiters = [];
          for (const f of w) f();
        }
      };
      stored.then(finished, (err: unknown) => {
        finished();
        drop(client, packet, err);
      });
      if (qos0InFlight < maxQos0) handled();
      else qos0Waiters.push(() => handled());
    };

    broker.authorizeSubscribe = (client, sub: Subscription, done) => {
      const session = sessions.get(client);
      if (!session) return done(new Error("not logged in"));
      try {
        const filter = parseSubscribeFilter(sub.topic);
        const allowed =
          filter.kind === "errors"
            ? filter.device === session.device
            : o.ownership.check(session.device, filter.thing) === "owner";
        if (!allowed) {
          logger.info("refused a subscription", { device: session.device, topic: sub.topic.slice(0, 300) });
          return done(null, null);
        }
        session.filters.set(sub.topic, filter);
        done(null, { ...sub, qos: Math.min(sub.qos, 1) as 0 | 1 });
      } catch (err) {
        logger.info("refused a subscription", { device: session.device, topic: sub.topic.slice(0, 300), err });
        done(null, null);
      }
    };

    broker.on("clientReady", (client) => {
      const session = sessions.get(client);
      if (!session) return;
      const set = byDevice.get(session.device) ?? new Set<Client>();
      byDevice.set(session.device, set);
      set.add(client);
      void presence.report(session.device, "connected");
      session.detach = o.dispatcher.attach(
        session.device,
        mqttActionChannel(client, () => session.filters.values(), acks),
      );
    });
    broker.on("subscribe", (_subs, client) => {
      const session = sessions.get(client);
      if (session) o.dispatcher.wake(session.device);
    });
    broker.on("unsubscribe", (topics, client) => {
      const session = sessions.get(client);
      for (const t of topics) session?.filters.delete(t);
    });
    broker.on("clientDisconnect", (client) => {
      const session = sessions.get(client);
      sessions.delete(client);
      acks.closed(client);
      if (!session) return;
      session.detach?.();
      const set = byDevice.get(session.device);
      set?.delete(client);
      if (!set?.size) {
        byDevice.delete(session.device);
        void presence.report(session.device, "disconnected");
      }
    });
    broker.on("clientError", (client, err) => {
      logger.debug("MQTT client error", { device: sessions.get(client)?.device, err });
    });
    const unsubscribe = o.authenticator.onDeactivated((device) => {
      for (const client of byDevice.get(device) ?? []) client.close();
    });

    const servers: { close(cb: () => void): void }[] = [];
    const listen = (server: Server, port: number) =>
      new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, o.host ?? "127.0.0.1", () => {
          server.off("error", reject);
          servers.push(server);
          const address = server.address();
          resolve(typeof address === "object" && address ? address.port : port);
        });
      });
    try {
      const ports: MqttPorts = { tcp: await listen(createTcpServer(broker.handle), o.port) };
      if (o.tls) {
        const { key, cert, ca } = o.tls;
        const tls = createTlsServer({ key, cert, ca, requestCert: ca !== undefined, rejectUnauthorized: false });
        tls.on("secureConnection", (socket) => broker.handle(socket));
        ports.tls = await listen(tls, o.tls.port);
      }
      if (o.wsPort !== undefined) {
        const wss = new WebSocketServer({ port: o.wsPort, host: o.host ?? "127.0.0.1" });
        await new Promise<void>((resolve, reject) => {
          wss.once("error", reject);
          wss.once("listening", () => {
            wss.off("error", reject);
            resolve();
          });
        });
        wss.on("connection", (socket, req) => broker.handle(createWebSocketStream(socket), req));
        servers.push({ close: (cb) => wss.close(() => cb()) });
        const address = wss.address();
        ports.ws = typeof address === "object" && address ? address.port : o.wsPort;
      }
      return new MqttBinding(broker, servers, ports, unsubscribe);
    } catch (err) {
      unsubscribe();
      for (const s of servers) s.close(() => {});
      await new Promise<void>((r) => broker.close(() => r()));
      throw err;
    }
  }

  async stop(): Promise<void> {
    this.stopListening();
    // Servers stop accepting at once but report closed only when their connections end: close the clients first.
    const closed = Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    await new Promise<void>((r) => this.broker.close(() => r()));
    await closed;
  }
}
