/**
 * Benchmark: the history projection live, its replay, and a plain Postgres COPY of the same rows, in one run.
 * Target (issue 3): replay ≥ 50,000 events/s and ≥ 0.7 × the COPY rate.
 *
 *   node load-tests/bench-projections.ts [events=100000] [--pglite]
 *
 * Starts its own nats-server and Postgres (test harness) unless SPOKES_NATS_URL / SPOKES_POSTGRES_URL are set.
 */
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

const N = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100_000);
const withPglite = process.argv.includes("--pglite");
const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);
const config = loadConfig(process.env);

const nats = config.SPOKES_NATS_URL ? undefined : await startTestNats();
const pg = config.SPOKES_POSTGRES_URL ? undefined : await startTestPostgres();
const natsUrl = config.SPOKES_NATS_URL ?? nats?.url ?? "";
const pgUrl = config.SPOKES_POSTGRES_URL ?? pg?.url ?? "";
const log = await JetStreamEventLog.open({ servers: natsUrl, settings: config });

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

/** Writes rows to COPY's text format: tab-separated, \N for null, backslash escapes. */
function copyLine(values: unknown[]): string {
  const cell = (v: unknown) => {
    if (v === null || v === undefined) return "\\N";
    const s = typeof v === "string" ? v : JSON.stringify(v);
    return s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
  };
  return `${values.map(cell).join("\t")}\n`;
}

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

  t = performance.now();
  const result = await replay("history", { db: database.db, log, batchSize: 2000 });
  const replayMs = performance.now() - t;

  let copyMs: number | undefined;
  if (kind === "postgres" && database.client) {
    const rows = await rowsOf<Record<string, unknown>>(database.db, sql`select * from history_values order by seq`);
    const lines = rows.map((r) => copyLine([r.seq, r.thing, r.kind, r.name, r.time, r.received_at, r.data]));
    const client: postgres.Sql = database.client;
    await client`drop table if exists bench_copy`;
    await client`create table bench_copy (like history_values including all)`;
    t = performance.now();
    const writable = await client`copy bench_copy from stdin`.writable();
    await pipeline(
      (async function* () {
        for (let i = 0; i < lines.length; i += 1000) yield lines.slice(i, i + 1000).join("");
      })(),
      writable as Writable,
    );
    copyMs = performance.now() - t;
    await client`drop table bench_copy`;
  }
  await database.close();
  return { kind, live: rate(head, liveMs), replay: rate(result.events, replayMs), copy: copyMs && rate(N, copyMs) };
}

const results = [await measure("postgres"), ...(withPglite ? [await measure("pglite")] : [])];
console.log(
  `\nhistory projection, ${N} events (node ${process.version}, ${(await import("node:os")).cpus().length} cores)`,
);
console.log("database  | live events/s | replay events/s | COPY rows/s | replay / COPY");
for (const r of results) {
  const ratio = r.copy ? (r.replay / r.copy).toFixed(2) : "-";
  console.log(
    `${r.kind.padEnd(9)} | ${String(r.live).padStart(13)} | ${String(r.replay).padStart(15)} | ${String(r.copy ?? "-").padStart(11)} | ${ratio}`,
  );
}
await log.close();
await Promise.all([nats?.stop(), pg?.stop()]);
