/**
 * Action round trip to MQTT devices: an operator invokes an action over GraphQL and waits for it to complete; the
 * device, connected over MQTT (WebSocket, stock k6), receives it on `things/{thing}/action/toggle` and answers
 * `{"actionId","status":"completed"}` on `things/{thing}/action-status/toggle`.
 *
 * Target: round trip (the `invokeAction(waitFor: COMPLETED)` mutation's duration) p99 ≤ 30 ms; every action
 * completed; 0 errors (including the hub's drop notices on `devices/{device}/errors`). ACTION_DEVICES devices stay
 * connected; invocations arrive at ACTION_RATE/s (open model), spread over their Things. Hub only: a plain broker
 * cannot take the GraphQL invocation, so the driver compares it with the long-poll scenario's bare relay.
 */
import exec from "k6/execution";
import { Counter } from "k6/metrics";
import type { Options } from "k6/options";
import { clearInterval, setInterval, setTimeout } from "k6/timers";
import { type ErrorEvent, type MessageEvent, WebSocket } from "k6/websockets";
import { ACTION_DEVICES, actionScenarios, invokeOn, LISTENING_MS } from "./lib/actions.ts";
import { DATA, env, loginAdmin, TREND_STATS, tdOf, writeSummary } from "./lib/k6-common.ts";
import {
  connect,
  DISCONNECT,
  PINGREQ,
  packetReader,
  puback,
  publish,
  subscribe as subscribePacket,
} from "./lib/mqtt-packets.ts";

const MQTT_WS_URL = env("MQTT_WS_URL", "ws://127.0.0.1:8083");
const devices = DATA.devices.slice(0, ACTION_DEVICES);
const errors = new Counter("mqtt_errors");
const reported = new Counter("statuses_reported");

export const options: Options = { summaryTrendStats: TREND_STATS, ...actionScenarios({ mqtt_errors: ["count==0"] }) };

export function setup(): { token: string } {
  return { token: loginAdmin() };
}

/** One MQTT device: claims its Thing, subscribes to its actions, completes each one it receives. */
export function device(): void {
  const d = devices[exec.scenario.iterationInTest % devices.length];
  if (!d) throw new Error("no devices in the data file");
  const ws = new WebSocket(MQTT_WS_URL, null, { headers: { "Sec-WebSocket-Protocol": "mqtt" } });
  ws.binaryType = "arraybuffer";
  const read = packetReader();
  const send = (bytes: Uint8Array) => ws.send(bytes.buffer as ArrayBuffer);
  let nextId = 1;
  const id = () => {
    nextId = nextId === 65000 ? 1 : nextId + 1;
    return nextId;
  };
  let leaving = false;
  const fail = (why: string) => {
    if (leaving) return;
    errors.add(1);
    console.error(`${d.device}: ${why}`);
  };

  ws.onopen = () => send(connect({ clientId: d.device, username: d.device, password: d.token, keepAlive: 60 }));
  ws.onmessage = (e?: MessageEvent) => {
    for (const p of read(new Uint8Array(e?.data as ArrayBuffer))) {
      if (p.type === "connack") {
        if (p.returnCode !== 0) return fail(`CONNACK ${p.returnCode}`);
        send(subscribePacket(id(), `devices/${d.device}/errors`, 0));
        send(publish(`things/${d.thing}/td`, JSON.stringify(tdOf(d)), 1, id()));
        send(subscribePacket(id(), `things/${d.thing}/action/+`, 1));
      } else if (p.type === "suback") {
        if (p.granted[0] === 0x80) fail("a subscription was refused");
      } else if (p.type === "publish") {
        if (p.packetId !== undefined) send(puback(p.packetId));
        if (p.topic.startsWith("devices/")) {
          fail(`the hub dropped a message: ${p.payload.slice(0, 300)}`);
          continue;
        }
        const name = p.topic.split("/").at(-1) ?? "";
        const action = JSON.parse(p.payload) as { actionId?: string };
        if (!action.actionId) {
          fail(`an action without an id on ${p.topic}`);
          continue;
        }
        const status = JSON.stringify({ actionId: action.actionId, status: "completed", output: { ok: true } });
        send(publish(`things/${d.thing}/action-status/${name}`, status, 1, id()));
        reported.add(1);
      }
    }
  };
  ws.onerror = (e?: ErrorEvent) => fail(`websocket error: ${String(e?.error ?? e)}`);
  ws.onclose = () => fail("connection closed by the server");
  const ping = setInterval(() => send(PINGREQ), 20_000);
  setTimeout(() => {
    leaving = true;
    clearInterval(ping);
    send(DISCONNECT);
    ws.close();
  }, LISTENING_MS);
}

export const invoke = invokeOn(devices);

export const handleSummary = writeSummary("action-round-trip-mqtt");
