/**
 * Device ingest over MQTT, from stock k6: each virtual user is a device speaking MQTT 3.1.1 over WebSocket
 * (load-tests/lib/mqtt-packets.ts; no xk6 extension needed), user name = device id, password = device token.
 *
 * Target: QoS 1 events acknowledged (PUBACK, sent by the hub once the event is stored) ≥ 0.5 × what a plain
 * mosquitto broker acknowledges under the same load; 0 errors. MQTT_VUS devices each publish their TD, then events
 * `things/{thing}/event/reading` with MQTT_WINDOW QoS 1 publishes in flight, for DURATION.
 * Ceiling: the same script against mosquitto's WebSocket listener (anonymous, no storage). The Node driver
 * load-tests/mqtt-driver.ts makes the same load over TCP with mqtt.js, for comparison.
 */
import exec from "k6/execution";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import { clearInterval, clearTimeout, setInterval, setTimeout } from "k6/timers";
import { type ErrorEvent, type MessageEvent, WebSocket } from "k6/websockets";
import {
  DATA,
  DURATION,
  durationMs,
  env,
  num,
  TARGET,
  TREND_STATS,
  tdOf,
  thresholds,
  writeSummary,
} from "./lib/k6-common.ts";
import { connect, DISCONNECT, PINGREQ, packetReader, publish, subscribe, utf8 } from "./lib/mqtt-packets.ts";

const VUS = num("MQTT_VUS", 20);
const WINDOW = num("MQTT_WINDOW", 16);
const MQTT_WS_URL = env("MQTT_WS_URL", "ws://127.0.0.1:8083");

const acked = new Counter("mqtt_events_acked");
const ackTime = new Trend("mqtt_puback_time", true);
const errors = new Counter("mqtt_errors");
const unacked = new Counter("mqtt_unacked");

export const options: Options = {
  summaryTrendStats: TREND_STATS,
  scenarios: {
    devices: {
      executor: "per-vu-iterations",
      vus: VUS,
      iterations: 1,
      maxDuration: `${Math.ceil(durationMs(DURATION) / 1000) + 30}s`,
      exec: "device",
    },
  },
  thresholds: thresholds(
    {
      mqtt_errors: ["count==0"],
      mqtt_unacked: ["count==0"],
      mqtt_events_acked: ["count>0"],
      mqtt_puback_time: ["max>=0"],
    },
    {},
  ),
};

export function device(): void {
  const d = DATA.devices[exec.scenario.iterationInTest % DATA.devices.length];
  if (!d) throw new Error("no devices in the data file");
  // mosquitto needs the `mqtt` subprotocol; the hub's endpoint accepts it too.
  const ws = new WebSocket(MQTT_WS_URL, null, { headers: { "Sec-WebSocket-Protocol": "mqtt" } });
  ws.binaryType = "arraybuffer";
  const read = packetReader();
  const sentAt = new Map<number, number>();
  const topic = new Uint8Array(utf8(`things/${d.thing}/event/reading`));
  let nextId = 1;
  let seq = 0;
  let publishing = false;
  let done = false;
  let tdAcked = TARGET !== "hub";

  const send = (bytes: Uint8Array) => ws.send(bytes.buffer as ArrayBuffer);
  // Several MQTT packets may share one WebSocket message (MQTT 3.1.1 §6); batching them keeps k6's own
  // per-message cost from being what is measured.
  const publishMany = (n: number) => {
    const packets: Uint8Array[] = [];
    let size = 0;
    for (let i = 0; i < n; i++) {
      const id = nextId;
      nextId = nextId === 65533 ? 1 : nextId + 1;
      sentAt.set(id, Date.now());
      const p = publish(topic, JSON.stringify({ seq: seq++, celsius: 21.5 }), 1, id);
      packets.push(p);
      size += p.length;
    }
    const joined = new Uint8Array(size);
    let at = 0;
    for (const p of packets) {
      joined.set(p, at);
      at += p.length;
    }
    send(joined);
  };
  const fail = (why: string) => {
    if (done) return;
    errors.add(1);
    console.error(`${d.device}: ${why}`);
  };

  ws.onopen = () => send(connect({ clientId: d.device, username: d.device, password: d.token, keepAlive: 60 }));
  ws.onmessage = (e?: MessageEvent) => {
    let freed = 0;
    const now = Date.now();
    for (const p of read(new Uint8Array(e?.data as ArrayBuffer))) {
      if (p.type === "connack") {
        if (p.returnCode !== 0) return fail(`CONNACK ${p.returnCode}`);
        // The hub tells a device on devices/{device}/errors why it dropped a message (MQTT 3.1.1 has no negative
        // PUBACK): every such notice counts as an error. Packet ids 65534 and 65535 are never used for events.
        if (TARGET === "hub") send(subscribe(65534, `devices/${d.device}/errors`, 0));
        // The device claims its Thing with its TD.
        send(publish(`things/${d.thing}/td`, JSON.stringify(tdOf(d)), 1, 65535));
        if (tdAcked) start();
      } else if (p.type === "suback") {
        if (p.granted[0] === 0x80) fail("the hub refused the subscription to its drop notices");
      } else if (p.type === "publish") {
        fail(`the hub dropped a message: ${p.payload.slice(0, 300)}`);
      } else if (p.type === "puback") {
        if (p.packetId === 65535 && !tdAcked) {
          tdAcked = true;
          start();
          continue;
        }
        const t0 = sentAt.get(p.packetId);
        if (t0 === undefined) continue;
        sentAt.delete(p.packetId);
        ackTime.add(now - t0);
        freed++;
      }
    }
    if (freed > 0) acked.add(freed);
    if (publishing && freed > 0) publishMany(freed);
  };
  ws.onerror = (e?: ErrorEvent) => fail(`websocket error: ${String(e?.error ?? e)}`);
  ws.onclose = () => fail("connection closed by the server");

  const start = () => {
    if (publishing) return;
    publishing = true;
    publishMany(WINDOW);
    setTimeout(stop, durationMs(DURATION));
  };
  const ping = setInterval(() => send(PINGREQ), 20_000);
  const watchdog = setTimeout(() => {
    if (!publishing && !done) {
      fail("not connected and publishing after 15 s");
      leave();
    }
  }, 15_000);
  const leave = () => {
    done = true;
    clearInterval(ping);
    clearTimeout(watchdog);
    send(DISCONNECT);
    ws.close();
  };
  // Wait for the publishes still in flight (at most 5 s); any left unacknowledged count as errors.
  const stop = () => {
    publishing = false;
    const until = Date.now() + 5000;
    const drain = setInterval(() => {
      if (sentAt.size > 0 && Date.now() < until) return;
      clearInterval(drain);
      if (sentAt.size > 0) {
        unacked.add(sentAt.size);
        fail(`${sentAt.size} publishes not acknowledged 5 s after the last`);
      }
      leave();
    }, 50);
  };
}

export const handleSummary = writeSummary("mqtt-ingest");
