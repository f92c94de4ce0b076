/**
 * Target: ≥ 5,000 confirmable CoAP event posts per second stored in JetStream, and LwM2M notifications turned into
 * property values as fast. Measures, in one run against one fresh nats-server and the CoAP worker:
 *   1. baseline: node-coap confirmable POST round trips to a bare node-coap server (no JetStream, no auth);
 *   2. plain-CoAP event ingest: confirmable POST /things/{thing}/event/{name} with a device token, answered once
 *      JetStream stored the event;
 *   3. LwM2M observe: notifications of /3303/0/5700 from a registered client, until stored as property values.
 * Prints events/s, latency percentiles and this process's CPU time per message (client and hub run in this one
 * process; nats-server's CPU is not counted) with the load average. Run: `npm run bench:coap [-- --events 20000]`.
 */
import type { Socket } from "node:dgram";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Agent, createServer, type IncomingMessage, type OutgoingMessage, type Server } from "coap";
import { findNatsServer, startNatsServer } from "../bin/lib/nats-server.ts";
import { runtimeName } from "../bin/lib/state.ts";
import { TOKEN_OPTION } from "../bindings/coap/plain/plain-coap.ts";
import { startGatedWorker } from "../bindings/coap/testing/coap-hub.ts";
import { loadConfig } from "../core/config.ts";
import { DeviceRegistry } from "../core/device-registry.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { createLogger } from "../core/log.ts";
import { subjects } from "../core/subjects.ts";
import { provisionTestDevice } from "../test/harness/devices.ts";
import { freePort } from "../test/harness/ports.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "20000" },
    window: { type: "string", default: "128" },
    agents: { type: "string", default: "4" },
  },
});
const N = Number(values.events);
const WINDOW = Number(values.window);
const AGENTS = Number(values.agents);
const load = () => loadavg()[0]?.toFixed(2) ?? "?";

type Result = {
  name: string;
  count: number;
  rate: number;
  p50: number;
  p95: number;
  p99: number;
  cpuUs: number;
  load: string;
};
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
/** This process's CPU time (user + system) in microseconds since `from`. */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return u.user + u.system;
};
type Run = { seconds: number; latencies: number[]; cpuUs: number };
function result(name: string, { seconds, latencies, cpuUs }: Run, loadAtStart: string): Result {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name,
    count: latencies.length,
    rate: Math.round(latencies.length / seconds),
    p50: pct(sorted, 50),
    p95: pct(sorted, 95),
    p99: pct(sorted, 99),
    cpuUs: cpuUs / latencies.length,
    load: `${loadAtStart} → ${load()}`,
  };
}

/** Fails the run, naming what it waited for, when `progress()` has not moved for `ms` (a lost message). */
function stallGuard(what: string, progress: () => number, ms = 30_000): { stop(): void } {
  let last = -1;
  const timer = setInterval(() => {
    const now = progress();
    if (now === last) {
      console.error(`bench:coap: ${what} made no progress for ${ms / 1000} s (${now} done)`);
      process.exit(1);
    }
    last = now;
  }, ms);
  return { stop: () => clearInterval(timer) };
}

/** Sends `count` confirmable POSTs with at most `window` in flight over `agents` sockets; returns latencies (ms). */
async function posts(port: number, path: string, count: number, options: Record<string, Buffer>): Promise<Run> {
  const agents = Array.from({ length: AGENTS }, () => new Agent({ type: "udp4" }));
  for (const a of agents) a.on("error", () => {});
  const latencies: number[] = [];
  let next = 0;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const guard = stallGuard(`POST ${path}`, () => latencies.length);
  const one = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const start = performance.now();
      const req = (agents[i % AGENTS] as Agent).request({
        hostname: "127.0.0.1",
        port,
        method: "POST",
        pathname: path,
        confirmable: true,
        options,
      });
      req.on("response", (res: IncomingMessage) => {
        if (!String(res.code).startsWith("2.")) reject(new Error(`answer ${res.code}: ${res.payload}`));
        latencies.push(performance.now() - start);
        resolve();
      });
      req.on("error", reject);
      req.end(Buffer.from(JSON.stringify({ celsius: 20 + (i % 100) / 10, seq: i })));
    });
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      for (let i = next++; i < count; i = next++) await one(i);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpuUs = cpuSince(cpu);
  guard.stop();
  for (const a of agents) a.close();
  return { seconds, latencies, cpuUs };
}

const binary = findNatsServer();
if (!binary) throw new Error("nats-server not found: run `npm run setup`");
const dir = await mkdtemp(join(tmpdir(), "spokes-bench-coap-"));
const server = await startNatsServer({ binary, port: await freePort(), storeDir: join(dir, "store") });
const log = await JetStreamEventLog.open({ servers: server.url, settings: loadConfig({}) });
const logger = createLogger("error");
const registry = await DeviceRegistry.open({ log, dataDir: dir, logger });
const { token } = await provisionTestDevice(log, dir, "bench-dev");
await provisionTestDevice(log, dir, "bench-lwm2m");
await registry.sync();
const worker = await startGatedWorker({ log, registry, logger }, { authenticator: registry, autoObserve: false });
const results: Result[] = [];

// 1. Baseline: a bare node-coap server.
{
  const bare = createServer({ type: "udp4" }, (_req: IncomingMessage, res: OutgoingMessage) => {
    res.code = "2.04";
    res.end();
  });
  await new Promise<void>((r) => bare.listen(0, "127.0.0.1", () => r()));
  const port = (bare._sock as Socket).address().port;
  // Warm up the CoAP code paths first, so the baseline is not the run that pays for the JIT.
  await posts(port, "/things/x/event/reading", Math.min(N, 5000), {});
  const l = load();
  const run = await posts(port, "/things/x/event/reading", N, {});
  results.push(result("baseline: bare node-coap server, CON POST round trips", run, l));
  await new Promise<void>((r) => bare.close(() => r()));
}

// 2. Plain-CoAP event ingest into JetStream.
{
  const thing = "urn:bench:coap-1";
  const td = { id: thing, title: "bench", events: { reading: {} } };
  const put = new Agent({ type: "udp4" });
  await new Promise<void>((resolve, reject) => {
    const req = put.request({
      hostname: "127.0.0.1",
      port: worker.port,
      method: "PUT",
      pathname: `/things/${thing}/td`,
      options: { [String(TOKEN_OPTION)]: Buffer.from(token) },
    });
    req.on("response", (res: IncomingMessage) =>
      String(res.code) === "2.04" ? resolve() : reject(new Error(`TD: ${res.code} ${res.payload}`)),
    );
    req.end(Buffer.from(JSON.stringify(td)));
  });
  put.close();
  const options = { [String(TOKEN_OPTION)]: Buffer.from(token) };
  // Warm up as the baseline does, on another event name so the count below sees the measured run alone.
  await posts(worker.port, `/things/${thing}/event/warm-up`, Math.min(N, 5000), options);
  const l = load();
  const run = await posts(worker.port, `/things/${thing}/event/reading`, N, options);
  let stored = 0;
  for await (const _ of log.read({ stream: "EVENTS", filter: subjects.event(thing, "reading") })) stored++;
  if (stored !== N) throw new Error(`expected ${N} events stored, found ${stored}`);
  results.push(result("plain CoAP: CON POST event, answered after JetStream stored it", run, l));
}

// 3. LwM2M notifications → property values.
{
  const ep = "bench-lwm2m";
  let observer: OutgoingMessage | undefined;
  const observed = new Promise<void>((resolve) => {
    const client: Server = createServer({ type: "udp4" }, (req: IncomingMessage, res: OutgoingMessage) => {
      if (req.url.startsWith("/3303/0/5700") && req.headers.Observe === 0) {
        res.setOption("Content-Format", "text/plain");
        res.code = "2.05";
        (res as unknown as { statusCode: string }).statusCode = "2.05";
        res.write("0");
        observer = res;
        resolve();
        return;
      }
      res.code = "4.04";
      res.end();
    });
    client.listen(0, "127.0.0.1", () => {
      const agent = new Agent({ socket: client._sock as Socket });
      agent.on("error", () => {});
      const req = agent.request({
        hostname: "127.0.0.1",
        port: worker.port,
        method: "POST",
        pathname: "/rd",
        query: `ep=${ep}&lt=300&b=U`,
      });
      req.end(Buffer.from("</3303/0>"));
    });
  });
  // Wait for the registration, then observe.
  while (!worker.lwm2m.registrations.byEndpoint(ep)) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 500));
  void worker.lwm2m.management.observe(ep, "/3303/0/5700");
  await observed;
  const thing = `${ep}/3303/0`;
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  const controller = new AbortController();
  const from = ((await log.stats()).find((s) => s.stream === "EVENTS")?.lastSeq ?? 0) + 1;
  let received = 0;
  let wake: (() => void) | undefined;
  const watching = (async () => {
    for await (const e of log.watch({
      stream: "EVENTS",
      filter: subjects.property(thing, "sensor-value"),
      from,
      signal: controller.signal,
    })) {
      const at = sentAt.get(e.data as number);
      if (at !== undefined) {
        latencies.push(performance.now() - at);
        received++;
        wake?.();
      }
      if (received >= N) return;
    }
  })().catch(() => {});
  const l = load();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const guard = stallGuard("LwM2M notifications", () => received);
  for (let i = 1; i <= N; i++) {
    while (i - received > WINDOW) await new Promise<void>((r) => (wake = r));
    sentAt.set(i, performance.now());
    observer?.write(String(i));
  }
  while (received < N) await new Promise<void>((r) => (wake = r));
  const seconds = (performance.now() - t0) / 1000;
  const cpuUs = cpuSince(cpu);
  guard.stop();
  controller.abort();
  await watching;
  results.push(
    result(
      `LwM2M: notifications (text, CON) until stored as property values, ${WINDOW} in flight`,
      { seconds, latencies, cpuUs },
      l,
    ),
  );
}

await worker.stop();
await registry.close();
await log.close();
await server.stop();
await rm(dir, { recursive: true, force: true });

console.log(
  `bench:coap — ${runtimeName()}, nats-server ${log.features.version}, ${new Date().toISOString()}, ${N} messages, ${WINDOW} in flight over ${AGENTS} client sockets`,
);
console.log(
  "| path | messages | per second | p50 ms | p95 ms | p99 ms | CPU µs per message | load average (start → end) |",
);
console.log("|---|---:|---:|---:|---:|---:|---:|---|");
for (const r of results)
  console.log(
    `| ${r.name} | ${r.count} | ${r.rate} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.cpuUs.toFixed(0)} | ${r.load} |`,
  );
process.exit(0);
