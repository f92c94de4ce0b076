/**
 * GraphQL subscriptions over WebSocket (graphql-transport-ws), fed by devices publishing events over HTTP.
 *
 * Target: end-to-end latency from the device's publish to the subscriber's receipt p99 ≤ 25 ms at 1,000 events/s,
 * every event delivered to every subscriber of its Thing, 0 errors. SUBSCRIBERS WebSocket clients each follow
 * `thingEvents` of one of the devices' Things, FANOUT subscribers per Thing; a publisher posts RATE events/s
 * (open model) spread evenly over those Things, each carrying its send time (`sentAt`, ms since the epoch) in the
 * payload, so notifications/s = RATE × FANOUT. Latency = receipt time − sentAt, both on k6's clock.
 * Each subscription starts `since` the run's start, so a subscriber that got in late still receives every event
 * (the hub replays what it missed, then the live tail): the delivery count is exact. Latency is recorded only for
 * events sent at least a second after the subscriber subscribed, so it measures the live path, not a replay.
 * Ceiling: the same load against the bare HTTP server, which relays each posted event to its subscribers.
 */
import { check } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import { setTimeout } from "k6/timers";
import { type ErrorEvent, type MessageEvent, WebSocket } from "k6/websockets";
import {
  BASE_URL,
  bearer,
  claimThings,
  DATA,
  DURATION,
  durationMs,
  guarded,
  loginAdmin,
  NO_HTTP_ERRORS,
  num,
  scriptErrors,
  TREND_STATS,
  thresholds,
  writeSummary,
} from "./lib/k6-common.ts";

const SUBSCRIBERS = num("SUBSCRIBERS", 100);
const FANOUT = num("FANOUT", 1);
const RATE = num("RATE", 1000);
const WS_URL = `${BASE_URL.replace(/^http/, "ws")}/graphql`;
const SETTLE_MS = 3000;
const things = DATA.devices.slice(0, Math.max(1, Math.ceil(SUBSCRIBERS / FANOUT)));

const latency = new Trend("subscription_latency", true);
const received = new Counter("notifications");
const published = new Counter("events_published");
const wsErrors = new Counter("ws_errors");
const repeated = new Counter("notifications_repeated");
const misrouted = new Counter("notifications_misrouted");

export const options: Options = {
  summaryTrendStats: TREND_STATS,
  scenarios: {
    subscribers: {
      executor: "per-vu-iterations",
      vus: SUBSCRIBERS,
      iterations: 1,
      maxDuration: `${Math.ceil((durationMs(DURATION) + SETTLE_MS + 30_000) / 1000)}s`,
      exec: "subscribe",
    },
    publisher: {
      executor: "constant-arrival-rate",
      rate: RATE,
      timeUnit: "1s",
      duration: DURATION,
      preAllocatedVUs: Math.max(10, Math.ceil(RATE / 50)),
      maxVUs: Math.max(50, Math.ceil(RATE / 10)),
      startTime: `${SETTLE_MS}ms`,
      exec: "publish",
    },
  },
  thresholds: thresholds(
    {
      ...NO_HTTP_ERRORS,
      ws_errors: ["count==0"],
      notifications_repeated: ["count==0"],
      notifications_misrouted: ["count==0"],
      subscription_latency: ["max>=0"],
    },
    { subscription_latency: ["p(99)<=25"] },
  ),
};

type Setup = { token: string; since: string };

export function setup(): Setup {
  claimThings(things, BASE_URL);
  return { token: loginAdmin(), since: new Date().toISOString() };
}

/** One subscriber: subscribes, records each notification's latency, and leaves after the publisher stopped. */
export function subscribe({ token, since }: Setup): void {
  // iterationInTest numbers the subscribers 0…n-1 (one iteration each); VU ids are shared by all scenarios.
  const device = things[exec.scenario.iterationInTest % things.length];
  if (!device) throw new Error("no devices in the data file");
  const ws = new WebSocket(WS_URL, null, { headers: { "Sec-WebSocket-Protocol": "graphql-transport-ws" } });
  let closing = false;
  let subscribedAt = Number.POSITIVE_INFINITY;
  const seen = new Set<number>();
  ws.onopen = () => {
    ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } }));
  };
  ws.onmessage = (e?: MessageEvent) => {
    const msg = JSON.parse(String(e?.data)) as { type: string; payload?: unknown };
    if (msg.type === "connection_ack") {
      const query =
        "subscription($thing: ID!, $since: DateTime) { thingEvents(thing: $thing, since: { time: $since }) { value } }";
      const variables = { thing: device.thing, since };
      ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
      subscribedAt = Date.now();
    } else if (msg.type === "next") {
      const value = (msg.payload as { data?: { thingEvents?: { value?: { sentAt?: number; seq?: number } } } }).data
        ?.thingEvents?.value;
      const sentAt = value?.sentAt;
      if (typeof sentAt !== "number" || typeof value?.seq !== "number") wsErrors.add(1);
      else if (things[value.seq % things.length]?.thing !== device.thing) {
        // The publisher sends event `seq` to Thing seq mod n: anything else is another Thing's event.
        misrouted.add(1);
        console.error(`${device.thing}: received event ${value.seq} of another Thing`);
      } else if (seen.has(value.seq)) {
        repeated.add(1);
        console.error(`${device.thing}: event ${value.seq} delivered again`);
      } else {
        seen.add(value.seq);
        if (sentAt >= subscribedAt + 1000) latency.add(Date.now() - sentAt);
        received.add(1);
      }
    } else if (msg.type === "ping") ws.send(JSON.stringify({ type: "pong" }));
    else if (msg.type === "error" || msg.type === "complete") {
      wsErrors.add(1);
      console.error(`subscription ended: ${JSON.stringify(msg).slice(0, 300)}`);
    }
  };
  ws.onerror = (e?: ErrorEvent) => {
    if (closing) return;
    wsErrors.add(1);
    console.error(`websocket error: ${String(e?.error ?? e)}`);
  };
  ws.onclose = () => {
    if (!closing) {
      wsErrors.add(1);
      console.error("websocket closed before the end of the run");
    }
  };
  // Stay until the publisher is done and the last notifications had time to arrive.
  setTimeout(
    () => {
      closing = true;
      ws.close();
    },
    SETTLE_MS + durationMs(DURATION) + 3000,
  );
}

export const publish = guarded((): void => {
  const seq = exec.scenario.iterationInTest;
  const device = things[seq % things.length];
  if (!device) {
    scriptErrors.add(1);
    return;
  }
  const url = `${BASE_URL}/things/${encodeURIComponent(device.thing)}/event/reading`;
  const res = http.post(url, JSON.stringify({ sentAt: Date.now(), seq }), {
    headers: bearer(device.token),
    tags: { name: "event" },
  });
  if (check(res, { "event stored (204)": (r) => r.status === 204 })) published.add(1);
});

export const handleSummary = writeSummary("graphql-subscriptions");
