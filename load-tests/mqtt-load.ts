/**
 * The MQTT client load of `bench:ingest`, run in its own process so it does not share a thread with the broker
 * under test. Reads a JSON plan from argv[2]; each publisher client sends its share with at most `window`
 * messages unacknowledged (QoS 1) or unwritten (QoS 0), optionally paced to `rate` messages/s in total. With
 * `subscribe`, one more client receives the messages (the plain-broker baseline). Prints one JSON result line,
 * with the CPU time this process spent from the first publish until every message was acknowledged and received.
 * Payloads are 256-byte JSON objects carrying the send time, so the subscriber can measure publish → receive.
 */
import mqtt, { type MqttClient } from "mqtt";

type Plan = {
  url: string;
  publishers: { username?: string; password?: string; topic: string }[];
  total: number;
  qos: 0 | 1;
  window: number;
  /** Messages per second over all publishers; 0 = as fast as possible. */
  rate: number;
  subscribe?: { topic: string; username?: string; password?: string };
};

const plan = JSON.parse(process.argv[2] ?? "{}") as Plan;
const PAD = "x".repeat(200);
const payload = (t: number, i: number) => {
  const text = JSON.stringify({ t, i, pad: PAD });
  return text + " ".repeat(Math.max(0, 256 - text.length));
};

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number) * 100) / 100;
}
const summary = (lat: Float64Array) => {
  const s = lat.slice().sort();
  return { p50: percentile(s, 0.5), p90: percentile(s, 0.9), p99: percentile(s, 0.99), max: percentile(s, 1) };
};

const connect = (o: { username?: string; password?: string }) =>
  mqtt.connectAsync(plan.url, { ...o, reconnectPeriod: 0, clean: true, protocolVersion: 4 });

let subscriber: MqttClient | undefined;
let received = 0;
const receiveLatency = new Float64Array(plan.subscribe ? plan.total : 0);
let allReceived: Promise<number> = Promise.resolve(0);
if (plan.subscribe) {
  subscriber = await connect(plan.subscribe);
  allReceived = new Promise<number>((resolve) => {
    subscriber?.on("message", (_topic, p) => {
      const t = JSON.parse(p.toString()).t as number;
      receiveLatency[received++] = performance.now() - t;
      if (received === plan.total) resolve(performance.now());
    });
  });
  await subscriber.subscribeAsync(plan.subscribe.topic, { qos: plan.qos });
}

const clients = await Promise.all(plan.publishers.map((p) => connect(p)));
const cpuAtStart = process.cpuUsage();
const ackLatency = new Float64Array(plan.total);
const share = Math.floor(plan.total / clients.length);
const interval = plan.rate > 0 ? (1000 * clients.length) / plan.rate : 0;
const startWall = Date.now();
const start = performance.now();

async function publishFrom(c: MqttClient, topic: string, first: number, count: number): Promise<void> {
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => {
    done = r;
  });
  let acked = 0;
  for (let k = 0; k < count; k++) {
    if (interval > 0) {
      const due = start + k * interval;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    }
    while (inFlight >= plan.window) await new Promise<void>((r) => (wake = r));
    const i = first + k;
    const t = performance.now();
    inFlight++;
    c.publish(topic, payload(t, i), { qos: plan.qos }, () => {
      ackLatency[i] = performance.now() - t;
      inFlight--;
      acked++;
      const w = wake;
      wake = undefined;
      w?.();
      if (acked === count) done();
    });
  }
  await finished;
}

await Promise.all(clients.map((c, n) => publishFrom(c, plan.publishers[n]?.topic as string, n * share, share)));
const acknowledged = performance.now();
const sent = share * clients.length;
let receivedAt = 0;
if (plan.subscribe) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<number>((r) => {
    timer = setTimeout(() => r(0), 60_000);
  });
  receivedAt = await Promise.race([allReceived, timeout]);
  clearTimeout(timer);
}
const cpu = process.cpuUsage(cpuAtStart);
for (const c of clients) await c.endAsync();
await subscriber?.endAsync();

process.stdout.write(
  `${JSON.stringify({
    sent,
    startWall,
    acknowledgedMs: acknowledged - start,
    cpuMs: (cpu.user + cpu.system) / 1000,
    ackLatency: summary(ackLatency.subarray(0, sent)),
    ...(plan.subscribe
      ? { received, receivedMs: receivedAt ? receivedAt - start : undefined, receiveLatency: summary(receiveLatency) }
      : {}),
  })}\n`,
);
