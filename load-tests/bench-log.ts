/**
 * Target: appends through the event log should come close to raw acknowledged JetStream publishes.
 * Measures, in one run against one fresh nats-server: raw core publish into the EVENTS stream (stored, no acks),
 * raw `js.publish` pipelined, raw `js.publish` awaited one by one, `EventLog.appendMany` and `EventLog.append`
 * awaited one by one. Run: `npm run bench:log [-- --events 100000 --window 1024]`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startFastIngest } from "@nats-io/jetstream/internal";
import { findNatsServer, startNatsServer } from "../bin/lib/nats-server.ts";
import { runtimeName } from "../bin/lib/state.ts";
import { loadConfig } from "../core/config.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { subjects } from "../core/subjects.ts";
import { freePort } from "../test/harness/ports.ts";

const { values } = parseArgs({
  options: { events: { type: "string", default: "50000" }, window: { type: "string", default: "1024" } },
});
const N = Number(values.events);
const WINDOW = Number(values.window);
const SERIAL = Math.min(N, 5000);
const payload = (i: number) => ({ celsius: 20 + (i % 100) / 10, seq: i, note: "benchmark reading of moderate size" });

const binary = findNatsServer();
if (!binary) throw new Error("nats-server not found: run `npm run setup`");
const dir = await mkdtemp(join(tmpdir(), "spokes-bench-"));
const server = await startNatsServer({ binary, port: await freePort(), storeDir: join(dir, "store") });
const log = await JetStreamEventLog.open({ servers: server.url, settings: loadConfig({}), window: WINDOW });
const js = jetstream(log.nc);
const jsm = await jetstreamManager(log.nc);
const enc = new TextEncoder();

async function storedCount(): Promise<number> {
  return (await jsm.streams.info("EVENTS")).state.messages;
}

async function measure(name: string, count: number, body: () => Promise<void>) {
  await jsm.streams.purge("EVENTS");
  const t0 = performance.now();
  await body();
  const seconds = (performance.now() - t0) / 1000;
  const stored = await storedCount();
  if (stored !== count) throw new Error(`${name}: expected ${count} stored, found ${stored}`);
  return { name, count, rate: Math.round(count / seconds) };
}

const subject = (i: number) => subjects.event(`sensor-${i % 100}`, "reading");
const results = [];

results.push(
  await measure("raw core publish (no ack), stored", N, async () => {
    for (let i = 0; i < N; i++) log.nc.publish(subject(i), enc.encode(JSON.stringify(payload(i))));
    await log.nc.flush();
    while ((await storedCount()) < N) await new Promise((r) => setTimeout(r, 5));
  }),
);
results.push(
  await measure(`raw js.publish, ${WINDOW} in flight`, N, async () => {
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < N; i++) {
      if (i >= WINDOW) await pending[i - WINDOW];
      pending.push(js.publish(subject(i), enc.encode(JSON.stringify(payload(i))), { msgID: `raw-${i}` }));
    }
    await Promise.all(pending);
  }),
);
if (log.features.fastIngest) {
  results.push(
    await measure("raw server fast-ingest batch (2.14), no gaps allowed", N, async () => {
      const batch = await startFastIngest(log.nc, subject(0), enc.encode(JSON.stringify(payload(0))), {
        allowGaps: false,
        ackInterval: 100,
      });
      for (let i = 1; i < N - 1; i++) await batch.add(subject(i), enc.encode(JSON.stringify(payload(i))));
      await batch.last(subject(N - 1), enc.encode(JSON.stringify(payload(N - 1))));
    }),
  );
}
results.push(
  await measure("raw js.publish, awaited one by one", SERIAL, async () => {
    for (let i = 0; i < SERIAL; i++) await js.publish(subject(i), enc.encode(JSON.stringify(payload(i))));
  }),
);
results.push(
  await measure(`EventLog.appendMany, ${WINDOW} in flight`, N, async () => {
    const reqs = Array.from({ length: N }, (_, i) => ({
      subject: subject(i),
      type: "spokes.EventEmitted",
      data: payload(i),
    }));
    await log.appendMany(reqs);
  }),
);
results.push(
  await measure("EventLog.appendBulk (fast-ingest when the server has it)", N, async () => {
    const reqs = Array.from({ length: N }, (_, i) => ({
      subject: subject(i),
      type: "spokes.EventEmitted",
      data: payload(i),
    }));
    await log.appendBulk(reqs);
  }),
);
results.push(
  await measure("EventLog.append, awaited one by one", SERIAL, async () => {
    for (let i = 0; i < SERIAL; i++)
      await log.append({ subject: subject(i), type: "spokes.EventEmitted", data: payload(i) });
  }),
);

await log.close();
await server.stop();
await rm(dir, { recursive: true, force: true });

const pipelined = results[1]?.rate ?? 1;
console.log(`bench:log — ${runtimeName()}, nats-server ${log.features.version}, ${new Date().toISOString()}`);
console.log("| path | events | events/s | vs raw js.publish pipelined |");
console.log("|---|---:|---:|---:|");
for (const r of results) console.log(`| ${r.name} | ${r.count} | ${r.rate} | ${(r.rate / pipelined).toFixed(2)} |`);
