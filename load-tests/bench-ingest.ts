/**
 * Target (2 cores): MQTT QoS 1 ingest to stored ≥ 15,000 msg/s and ≥ 0.8 × a plain broker's QoS 1 pub→sub rate;
 * QoS 0 ≥ 0.6 × the plain broker's QoS 0 rate; p99 publish → stored ≤ 20 ms at 5,000 msg/s.
 *
 * One run measures, with the same client load (mqtt.js publishers in a separate process, 256-byte JSON):
 * mosquitto pub → sub at QoS 0 and 1; the hub's MQTT endpoint at QoS 0 and 1 to stored in JetStream and to
 * projected into the history read model (real Postgres, the projection on its own thread as in the hub; QoS 0 goes
 * without JetStream acknowledgements, so its stored figure is the time until the stream holds every message); and
 * publish → stored latency paced at `--rate` next to mosquitto's publish → receive latency at the same pace. The hub is
 * paced twice: first steady on a warmed-up hub (the goal's measure), then again right after the full-speed runs, whose
 * backlog of garbage the hub's heap still holds (a major collection may then pause it).
 * Prints the load average with the figures, and the CPU time each process used per message in each run: the load
 * generator, this process (the hub's endpoint and event log, and the projection's thread), nats-server, Postgres
 * (all its processes) and mosquitto (Linux; from /proc).
 * Run: `npm run bench:ingest [-- --messages 60000 --clients 8 --window 100 --rate 5000]`.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs, promisify } from "node:util";
import mqtt from "mqtt";
import { ActionDispatcher } from "../bindings/actions/dispatcher.ts";
import { MqttBinding } from "../bindings/mqtt/mqtt-binding.ts";
import { AppendPipeline } from "../bindings/shared/append-pipeline.ts";
import { ThingOwnership } from "../bindings/shared/ownership.ts";
import { loadConfig } from "../core/config.ts";
import { DeviceRegistry } from "../core/device-registry.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { createLogger } from "../core/log.ts";
import { subjects } from "../core/subjects.ts";
import { readCheckpoint } from "../projections/checkpoints.ts";
import { openDatabase } from "../projections/db/database.ts";
import { migrate } from "../projections/db/migrate.ts";
import { startProjectionThread } from "../projections/projection-thread.ts";
import { provisionTestDevice } from "../test/harness/devices.ts";
import { freePort, startTestNats, startTestPostgres, waitForPort } from "../test/harness/index.ts";
import { cpuMs, cpuSince, ownCpuMs } from "./support/cpu-time.ts";

const { values } = parseArgs({
  options: {
    messages: { type: "string", default: "60000" },
    clients: { type: "string", default: "8" },
    window: { type: "string", default: "100" },
    rate: { type: "string", default: "5000" },
  },
});
const CLIENTS = Number(values.clients);
const TOTAL = Math.floor(Number(values.messages) / CLIENTS) * CLIENTS;
const WINDOW = Number(values.window);
const RATE = Number(values.rate);
const PACED = Math.floor((RATE * 10) / CLIENTS) * CLIENTS; // ten seconds at the pace
const WARM_UP = Math.floor((RATE * 2) / CLIENTS) * CLIENTS; // two seconds at the pace, not measured

type LoadResult = {
  sent: number;
  startWall: number;
  acknowledgedMs: number;
  /** CPU time of the load generator's process while it published (and received). */
  cpuMs: number;
  ackLatency: { p50: number; p90: number; p99: number; max: number };
  received?: number;
  receivedMs?: number;
  receiveLatency?: { p50: number; p90: number; p99: number; max: number };
};

const exec = promisify(execFile);
async function load(plan: object): Promise<LoadResult> {
  const script = join(import.meta.dirname, "mqtt-load.ts");
  const { stdout } = await exec(process.execPath, [script, JSON.stringify(plan)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split("\n").at(-1) as string) as LoadResult;
}

const load1 = () => loadavg()[0]?.toFixed(2);
const rate = (n: number, ms: number | undefined) => (ms ? Math.round((n * 1000) / ms) : 0);
/** Waits for `check`; fails the run after a minute (a QoS 0 message the hub lost would otherwise stall it). */
const until = async (check: () => Promise<boolean>, what = "the stream to catch up") => {
  const deadline = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now();
};

const dir = await mkdtemp(join(tmpdir(), "spokes-bench-ingest-"));
const logger = createLogger("error");
const [nats, pg] = await Promise.all([startTestNats(), startTestPostgres()]);
const log = await JetStreamEventLog.open({ servers: nats.url, settings: loadConfig({}) });
const database = await openDatabase({ url: pg.url });
await migrate(database);
// As in the hub with a Postgres server: the projection on a thread of its own.
const runner = await startProjectionThread({
  config: loadConfig({}),
  natsUrl: nats.url,
  database: { url: pg.url },
  names: ["history"],
  onError: (projection, err) => console.error(`${projection}: ${err.message}`),
});

const devices = Array.from({ length: CLIENTS }, (_, i) => `bench-${i}`);
const tokens: string[] = [];
for (const d of devices) tokens.push((await provisionTestDevice(log, dir, d)).token);
const registry = await DeviceRegistry.open({ log, dataDir: dir, logger });
const ownership = await ThingOwnership.open(log, logger);
const dispatcher = await ActionDispatcher.open({ log, ownerOf: (t) => ownership.ownerOf(t), logger });
const endpoint = await MqttBinding.start({ log, authenticator: registry, ownership, dispatcher, logger, port: 0 });
const hubUrl = `mqtt://127.0.0.1:${endpoint.ports.tcp}`;
for (const [i, d] of devices.entries()) {
  const c = await mqtt.connectAsync(hubUrl, { username: d, password: tokens[i], reconnectPeriod: 0 });
  await c.publishAsync(`things/${d}/td`, JSON.stringify({ id: d, title: d }), { qos: 1 });
  await c.endAsync();
}

const mosquittoPort = await freePort();
const conf = join(dir, "mosquitto.conf");
await writeFile(
  conf,
  `listener ${mosquittoPort} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\nmax_inflight_messages 0\n` +
    "persistence false\n",
);
const mosquitto = spawn("mosquitto", ["-c", conf], { stdio: "ignore" });
await waitForPort(mosquittoPort);
const mosquittoVersion = (await exec("mosquitto", ["-h"]).catch((e: { stdout: string }) => e)).stdout.split("\n")[0];

const hubPlan = (qos: 0 | 1, total: number, pace = 0) => ({
  url: hubUrl,
  publishers: devices.map((d, i) => ({ username: d, password: tokens[i], topic: `things/${d}/event/reading` })),
  total,
  qos,
  window: WINDOW,
  rate: pace,
});
const plainPlan = (qos: 0 | 1, total: number, pace = 0) => ({
  url: `mqtt://127.0.0.1:${mosquittoPort}`,
  publishers: devices.map((d) => ({ topic: `things/${d}/event/reading` })),
  total,
  qos,
  window: WINDOW,
  rate: pace,
  subscribe: { topic: "things/+/event/reading" },
});

/** CPU time per message of each part, for the table printed at the end. */
const cpuTable: Record<string, string | number | undefined>[] = [];
const meter = {
  hub: ownCpuMs,
  // Part of the hub's figure: the projection thread alone (Node 22.19+ reads a worker's CPU time).
  "of which projection thread": async () => {
    const u = await runner.worker()?.cpuUsage?.();
    return u ? (u.user + u.system) / 1000 : undefined;
  },
  nats: () => cpuMs(nats.pid()),
  postgres: () => cpuMs(pg.pid, true),
  mosquitto: () => cpuMs(mosquitto.pid),
};
function recordCpu(run: string, messages: number, parts: Record<string, number | undefined>, loadCpuMs?: number) {
  const load = loadCpuMs === undefined ? undefined : Math.round((loadCpuMs * 10_000) / messages) / 10;
  // The total counts each process once: a part "of which …" is already inside another.
  const all = [load, ...Object.entries(parts).flatMap(([name, v]) => (name.startsWith("of which") ? [] : [v]))];
  const known = all.filter((v): v is number => v !== undefined);
  const total = known.length === all.length ? Math.round(known.reduce((a, b) => a + b, 0) * 10) / 10 : undefined;
  cpuTable.push({ run, "load generator": load, ...parts, total });
}

const eventsHead = async () => (await log.jsm.streams.info("EVENTS")).state.last_seq;

async function hubRun(qos: 0 | 1) {
  const before = await eventsHead();
  const la = load1();
  const cpu = await cpuSince(meter);
  const r = await load(hubPlan(qos, TOTAL));
  const target = before + r.sent;
  const storedAt = await until(async () => (await eventsHead()) >= target, `all ${r.sent} messages stored`);
  const projectedAt = await until(async () => (await readCheckpoint(database.db, "history")) >= target);
  recordCpu(`hub QoS ${qos} (until projected)`, r.sent, await cpu(r.sent), r.cpuMs);
  const storedMs = qos === 1 ? r.acknowledgedMs : storedAt - r.startWall;
  return {
    run: `hub QoS ${qos}`,
    messages: r.sent,
    stored: rate(r.sent, storedMs),
    projected: rate(r.sent, projectedAt - r.startWall),
    ackP50: r.ackLatency.p50,
    ackP99: r.ackLatency.p99,
    load: la,
  };
}

async function plainRun(qos: 0 | 1) {
  const la = load1();
  const cpu = await cpuSince(meter);
  const r = await load(plainPlan(qos, TOTAL));
  recordCpu(`mosquitto QoS ${qos} pub→sub`, r.sent, await cpu(r.sent), r.cpuMs);
  return {
    run: `mosquitto QoS ${qos} pub→sub`,
    messages: r.received ?? 0,
    delivered: rate(r.received ?? 0, r.receivedMs),
    receiveP50: r.receiveLatency?.p50,
    receiveP99: r.receiveLatency?.p99,
    load: la,
  };
}

/**
 * The event log alone (no MQTT), with the same values: appended in bulk batches of 500, one batch at a time
 * (`pipeline` false), or all offered at once to the append pipeline the device bindings store values through.
 */
async function logRun(pipeline: boolean) {
  const la = load1();
  const data = { t: 0, i: 0, pad: "x".repeat(200) };
  const reqs = Array.from({ length: TOTAL }, (_, i) => ({
    subject: subjects.event(devices[i % CLIENTS] as string, "reading"),
    type: "spokes.EventEmitted",
    data,
    source: `devices/${devices[i % CLIENTS]}`,
  }));
  const cpu = await cpuSince(meter);
  const t0 = performance.now();
  if (pipeline) {
    const values = new AppendPipeline(log);
    await Promise.all(reqs.map((r) => values.append(r)));
  } else {
    for (let i = 0; i < TOTAL; i += 500) await log.appendBulk(reqs.slice(i, i + 500));
  }
  const ms = performance.now() - t0;
  const target = await eventsHead();
  await until(async () => (await readCheckpoint(database.db, "history")) >= target);
  const run = pipeline ? "event log append pipeline (no MQTT)" : "event log appendBulk ×500 (no MQTT)";
  recordCpu(`${run} (until projected)`, TOTAL, await cpu(TOTAL), 0);
  return { run, messages: TOTAL, stored: rate(TOTAL, ms), load: la };
}

// Steady pace on a hub warmed up at that pace, before the full-speed runs.
await load(hubPlan(1, WARM_UP, RATE));
const steadyLoad = load1();
const steady = await load(hubPlan(1, PACED, RATE));

const throughput: Record<string, string | number | undefined>[] = [];
for (const qos of [0, 1] as const) {
  throughput.push(await plainRun(qos));
  throughput.push(await hubRun(qos));
}
throughput.push(await logRun(false));
throughput.push(await logRun(true));
const la = load1();
const paced = await load(hubPlan(1, PACED, RATE));
const pacedPlain = await load(plainPlan(1, PACED, RATE));

console.log(
  `\nMQTT ingest, ${TOTAL} messages of 256 B from ${CLIENTS} clients (window ${WINDOW}), node ${process.version}, ` +
    `${cpus().length} cores, ${mosquittoVersion}`,
);
console.table(throughput);
const figure = (name: string, field: string) => Number(throughput.find((t) => t.run === name)?.[field] ?? 0);
const q1 = figure("hub QoS 1", "stored") / figure("mosquitto QoS 1 pub→sub", "delivered");
const q0 = figure("hub QoS 0", "stored") / figure("mosquitto QoS 0 pub→sub", "delivered");
console.log(
  `hub QoS 1 stored / mosquitto QoS 1: ${q1.toFixed(2)}; hub QoS 0 stored / mosquitto QoS 0: ${q0.toFixed(2)}`,
);
console.log("CPU time per message, µs (this process = the hub's endpoint, event log and projection thread):");
console.table(cpuTable);
const latency = (l: LoadResult["ackLatency"]) => `p50 ${l.p50} ms, p90 ${l.p90} ms, p99 ${l.p99} ms, max ${l.max} ms`;
console.log(`paced at ${RATE} msg/s, QoS 1, ${PACED} messages:`);
console.log(`  hub, steady (warmed up, load ${steadyLoad}): publish→stored ${latency(steady.ackLatency)}`);
console.log(`  hub, right after the full-speed runs (load ${la}): publish→stored ${latency(paced.ackLatency)}`);
if (pacedPlain.receiveLatency) console.log(`  mosquitto: publish→receive ${latency(pacedPlain.receiveLatency)}`);

mosquitto.kill("SIGTERM");
await endpoint.stop();
await dispatcher.close();
await ownership.close();
await registry.close();
await runner.stop();
await log.close();
await database.close();
await Promise.all([nats.stop(), pg.stop()]);
await rm(dir, { recursive: true, force: true });
