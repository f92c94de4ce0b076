/**
 * Action delivery over one MQTT connection: each action is published with QoS 1 on
 * `things/{thing}/action/{name}` and counts as delivered when the device's PUBACK arrives.
 */
import type { Client } from "aedes";
import type { ActionChannel, PendingAction } from "../actions/dispatcher.ts";
import { actionTopic, filterCovers, type SubscribeFilter } from "./topics.ts";

type Waiter = { resolve(): void; reject(err: Error): void };

/**
 * PUBACKs of the hub's own QoS 1 publishes, by client. aedes numbers outgoing packets itself, from the client's
 * next id at the moment it sends; the hub is the only one publishing with QoS 1 toward devices and sends one
 * action at a time per connection, so that number is known when the publish is made. Should aedes stop exposing
 * it, the one outstanding publish of the connection is matched instead.
 */
export class PubackTracker {
  private readonly waiting = new Map<Client, Map<number, Waiter>>();

  /** The message id aedes will give the next QoS 1 publish to this client (-1: unknown). */
  expectedId(client: Client): number {
    const next = (client as unknown as { _nextId?: unknown })._nextId;
    return typeof next === "number" ? next : -1;
  }

  wait(client: Client, messageId: number, timeoutMs: number): Promise<void> {
    const waiters = this.waiting.get(client) ?? new Map<number, Waiter>();
    this.waiting.set(client, waiters);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(messageId);
        reject(new Error("no PUBACK in time"));
      }, timeoutMs);
      waiters.set(messageId, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
    });
  }

  acknowledged(client: Client, messageId: number | undefined): void {
    if (messageId === undefined) return;
    const map = this.waiting.get(client);
    const id = map?.has(messageId) ? messageId : map?.size === 1 && map.has(-1) ? -1 : undefined;
    const w = id === undefined ? undefined : map?.get(id);
    if (!w || id === undefined) return;
    map?.delete(id);
    w.resolve();
  }

  /** The connection ended: nothing outstanding will be acknowledged. */
  closed(client: Client): void {
    const map = this.waiting.get(client);
    this.waiting.delete(client);
    for (const w of map?.values() ?? []) w.reject(new Error("the connection closed"));
  }
}

export function actionPayload(a: PendingAction): Buffer {
  return Buffer.from(
    JSON.stringify({
      actionId: a.actionId,
      ...(a.input === undefined ? {} : { input: a.input }),
      requestedAt: a.requestedAt,
      ...(a.expiresAt ? { expiresAt: a.expiresAt } : {}),
    }),
  );
}

export function mqttActionChannel(
  client: Client,
  filters: () => Iterable<SubscribeFilter>,
  acks: PubackTracker,
  timeoutMs = 30_000,
): ActionChannel {
  return {
    via: "mqtt",
    accepts: (a) => {
      for (const f of filters()) if (filterCovers(f, a.thing, a.name)) return true;
      return false;
    },
    async deliver(actions) {
      let n = 0;
      for (const a of actions) {
        if (client.closed) break;
        const messageId = acks.expectedId(client);
        const acked = acks.wait(client, messageId, timeoutMs);
        client.publish(
          {
            cmd: "publish",
            topic: actionTopic(a.thing, a.name),
            payload: actionPayload(a),
            qos: 1,
            retain: false,
            dup: false,
          },
          () => {},
        );
        try {
          await acked;
        } catch {
          break;
        }
        n++;
      }
      return n;
    },
  };
}
