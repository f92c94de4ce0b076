/**
 * Benchmark: the history projection live, its replay, and a plain Postgres COPY of the same rows, in one run.
 * Target: replay ≥ 50,000 events/s and ≥ 0.7 × the COPY rate.
 *
 *   node load-tests/bench-projections.ts [events=100000] [--pglite] [--rounds=3]
 *
 * Starts its own nats-server and Postgres (test harness) unless SPOKES_NATS_URL / SPOKES_POSTGRES_URL are set.
 * The machine may be shared, so replay and COPY take turns for a few rounds, each figure printed with the load
 * average; the table shows the medians (the replay / COPY median is of each round's own ratio). With the servers
 * started here, each round also prints the CPU time per event that Node, nats-server and Postgres spent on the
 * replay and on the COPY (Linux; from /proc).
 */
import { cpus, loadavg } from "node:os";
import type { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { sql } from "drizzle-orm";
import type postgres from "postgres";
import { loadConfig } from "../core/config.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { subjects } from "../core/subjects.ts";
import { readCheckpoint } from "../projections/checkpoints.ts";
import { openDatabase, rowsOf } from "../projections/db/database.ts";
import { migrate } from "../projections/db/migrate.ts";
import { history } from "../projections/history/projection.ts";
import { replay } from "../projections/replay.ts";
import { ProjectionRunner } from "../projections/runner.ts";
import { startTestNats, startTestPostgres } from "../test/harness/index.ts";
import { copyLine } from "./baselines/postgres-copy.ts";
import { cpuMs, cpuSince, ownCpuMs } from "./support/cpu-time.ts";

const N = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100_000);
const withPglite = process.argv.includes("--pglite");
const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 3);
const load = () => loadavg()[0]?.toFixed(2) ?? "?";
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const config = loadConfig(process.env);

const nats = config.SPOKES_NATS_URL ? undefined : await startTestNats();
const pg = config.SPOKES_POSTGRES_URL ? undefined : await startTestPostgres();
const natsUrl = config.SPOKES_NATS_URL ?? nats?.url ?? "";
const pgUrl = config.SPOKES_POSTGRES_URL ?? pg?.url ?? "";
const log = await JetStreamEventLog.open({ servers: natsUrl, settings: config });
const meter = {
  node: ownCpuMs,
  nats: () => cpuMs(nats?.pid()),
  postgres: () => cpuMs(pg?.pid, true),
};
/** "node 9.1, nats 4.2, postgres 6.3 µs/event" (a part that could not be read is left out). */
const cpuText = (parts: Record<string, number | undefined>) =>
  `${Object.entries(parts)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")} µs/event`;

let t = performance.now();
for (let i = 0; i < N; i += 20_000) {
  await log.appendMany(
    Array.from({ length: Math.min(20_000, N - i) }, (_, k) => ({
      subject: subjects.property(`meter-${(i + k) % 500}`, "power"),
      type: "spokes.PropertyReported",
      data: { watts: (i + k) % 3000, phase: "L1" },
    })),
  );
}
console.log(`appended ${N} events in ${Math.round(performance.now() - t)} ms (${rate(N, performance.now() - t)}/s)`);
const head = (await log.jsm.streams.info("EVENTS")).state.last_seq;

async function measure(kind: "postgres" | "pglite") {
  const database = await openDatabase(kind === "postgres" ? { url: pgUrl } : {});
  await migrate(database);
  await database.db.execute(sql`truncate history_values`);
  await database.db.execute(sql`delete from projection_checkpoints where name = 'history'`);
  await log.jsm.consumers.delete("EVENTS", "projection-history").catch(() => {});

  t = performance.now();
  const runner = new ProjectionRunner(database.db, log, [history], { batchSize: 1000 });
  await runner.start();
  while ((await readCheckpoint(database.db, "history")) < head) await new Promise((r) => setTimeout(r, 20));
  const liveMs = performance.now() - t;
  await runner.stop();

  console.log(`${kind}: live ${rate(head, liveMs)} events/s (load ${load()})`);

  // The COPY baseline: the same rows, into a table of the same columns, keys and indexes, in one COPY.
  const rows = await rowsOf<Record<string, unknown>>(database.db, sql`select * from history_values order by seq`);
  const lines = rows.map((r) => copyLine([r.seq, r.thing, r.kind, r.name, r.time, r.received_at, r.data]));
  const copyOnce = async (client: postgres.Sql) => {
    await client`drop table if exists bench_copy`;
    await client`create table bench_copy (like history_values including all)`;
    const started = performance.now();
    const writable = await client`copy bench_copy from stdin`.writable();
    await pipeline(
      (async function* () {
        for (let i = 0; i < lines.length; i += 1000) yield lines.slice(i, i + 1000).join("");
      })(),
      writable as Writable,
    );
    const ms = performance.now() - started;
    await client`drop table bench_copy`;
    return ms;
  };

  const replays: number[] = [];
  const copies: number[] = [];
  const ratios: number[] = [];
  /** CPU time of this process (decoding, checking, COPY text) per replay; nats-server and Postgres not included. */
  const cpuTimes: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    t = performance.now();
    const cpu = process.cpuUsage();
    const parts = await cpuSince(meter);
    const result = await replay("history", { db: database.db, log, writerUrl: database.url });
    const replayRate = rate(result.events, performance.now() - t);
    const used = process.cpuUsage(cpu);
    const replayCpu = cpuText(await parts(result.events));
    const cpuMs = Math.round((used.user + used.system) / 1000);
    replays.push(replayRate);
    cpuTimes.push(cpuMs);
    let line = `${kind} round ${round}: replay ${replayRate} events/s, this process ${cpuMs} ms CPU (load ${load()})`;
    line += kind === "postgres" ? `\n  replay CPU: ${replayCpu}` : "";
    if (kind === "postgres" && database.client) {
      const copyParts = await cpuSince(meter);
      const copyRate = rate(lines.length, await copyOnce(database.client));
      const copyCpu = cpuText(await copyParts(lines.length));
      copies.push(copyRate);
      ratios.push(replayRate / copyRate);
      line += `\n  COPY ${copyRate} rows/s (load ${load()}), ratio ${(replayRate / copyRate).toFixed(2)}; COPY CPU: ${copyCpu}`;
    }
    console.log(line);
  }
  await database.close();
  return {
    kind,
    live: rate(head, liveMs),
    replay: median(replays),
    replayRange: `${Math.min(...replays)}–${Math.max(...replays)}`,
    cpuMs: median(cpuTimes),
    copy: copies.length ? median(copies) : undefined,
    ratio: ratios.length ? median(ratios) : undefined,
    ratioRange: ratios.length ? `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}` : "",
  };
}

const results = [await measure("postgres"), ...(withPglite ? [await measure("pglite")] : [])];
console.log(
  `\nhistory projection, ${N} events, medians of ${rounds} rounds (node ${process.version}, ${cpus().length} cores, load ${load()})`,
);
console.log(
  "database  | live events/s | replay events/s (range) | replay CPU ms (Node) | COPY rows/s | replay / COPY (range)",
);
for (const r of results) {
  const replay = `${r.replay} (${r.replayRange})`;
  const ratio = r.ratio === undefined ? "-" : `${r.ratio.toFixed(2)} (${r.ratioRange})`;
  console.log(
    `${r.kind.padEnd(9)} | ${String(r.live).padStart(13)} | ${replay.padStart(23)} | ${String(r.cpuMs).padStart(20)} | ${String(r.copy ?? "-").padStart(11)} | ${ratio}`,
  );
}
await log.close();
await Promise.all([nats?.stop(), pg?.stop()]);
