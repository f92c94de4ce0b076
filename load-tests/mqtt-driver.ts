/**
 * MQTT ingest from a load driver of our own (mqtt.js over TCP), for comparison with the k6 scenario
 * load-tests/mqtt-ingest.k6.ts (MQTT over WebSocket) and with a plain broker.
 *
 * Target: QoS 1 events acknowledged by the hub (PUBACK once stored in JetStream) ≥ 0.5 × what mosquitto
 * acknowledges under the same load; 0 errors. Each device connects with its token, publishes its TD, then keeps
 * `--window` QoS 1 events in flight on `things/{thing}/event/reading` for `--seconds`.
 *
 *   node load-tests/mqtt-driver.ts --url mqtt://127.0.0.1:1883 --data data.json [--devices 20 --window 16 --seconds 20]
 *
 * Prints one JSON line: `{ acked, errors, unacked, seconds, rate, p50, p99, max }` (times in ms).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import mqtt from "mqtt";
import { tdOf } from "./lib/load-td.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: "mqtt://127.0.0.1:1883" },
    data: { type: "string" },
    devices: { type: "string", default: "20" },
    window: { type: "string", default: "16" },
    seconds: { type: "string", default: "20" },
    anonymous: { type: "boolean", default: false },
  },
});
type Device = { device: string; token: string; thing: string };
const all = (JSON.parse(readFileSync(values.data ?? "", "utf8")) as { devices: Device[] }).devices;
const devices = all.slice(0, Number(values.devices));
const WINDOW = Number(values.window);
const SECONDS = Number(values.seconds);

const times: number[] = [];
let errors = 0;
let unacked = 0;

async function runDevice(d: Device): Promise<void> {
  const client = await mqtt.connectAsync(values.url ?? "", {
    clientId: `${d.device}-driver`,
    ...(values.anonymous ? {} : { username: d.device, password: d.token }),
    clean: true,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  client.on("error", () => errors++);
  if (!values.anonymous) {
    // The hub tells a device why it dropped a message (MQTT 3.1.1 has no negative PUBACK): each notice is an error.
    client.on("message", (_topic, payload) => {
      if (errors++ === 0) process.stderr.write(`${d.device}: dropped: ${String(payload).slice(0, 300)}\n`);
    });
    const [granted] = await client.subscribeAsync(`devices/${d.device}/errors`, { qos: 0 });
    if (granted?.qos === 128) throw new Error("the hub refused the subscription to its drop notices");
  }
  await client.publishAsync(`things/${d.thing}/td`, JSON.stringify(tdOf(d)), { qos: 1 });
  const until = performance.now() + SECONDS * 1000;
  let seq = 0;
  let inFlight = 0;
  await new Promise<void>((resolve) => {
    const next = () => {
      if (performance.now() >= until) {
        if (inFlight === 0) resolve();
        return;
      }
      inFlight++;
      const t0 = performance.now();
      client.publish(
        `things/${d.thing}/event/reading`,
        JSON.stringify({ seq: seq++, celsius: 21.5 }),
        { qos: 1 },
        (err) => {
          inFlight--;
          if (err) errors++;
          else times.push(performance.now() - t0);
          next();
        },
      );
    };
    for (let i = 0; i < WINDOW; i++) next();
  });
  unacked += client.queue.length;
  await new Promise((r) => setTimeout(r, 200)); // drop notices for the last publishes
  await client.endAsync();
}

const t0 = performance.now();
const results = await Promise.allSettled(devices.map(runDevice));
const seconds = (performance.now() - t0) / 1000;
errors += results.filter((r) => r.status === "rejected").length;
for (const r of results) if (r.status === "rejected") process.stderr.write(`device failed: ${String(r.reason)}\n`);
times.sort((a, b) => a - b);
const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
process.stdout.write(
  `${JSON.stringify({
    acked: times.length,
    errors,
    unacked,
    seconds: Number(seconds.toFixed(2)),
    rate: Math.round(times.length / SECONDS),
    p50: Number(pct(0.5).toFixed(2)),
    p99: Number(pct(0.99).toFixed(2)),
    max: Number((times.at(-1) ?? 0).toFixed(2)),
  })}\n`,
);
