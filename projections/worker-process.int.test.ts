import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { subjects } from "../core/subjects.ts";
import { startTestNats, startTestPostgres, type TestNats, type TestPostgres } from "../test/harness/index.ts";
import { readCheckpoint } from "./checkpoints.ts";
import { type Database, openDatabase, rowsOf } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { freshDatabaseUrl, waitFor } from "./test-support.ts";

const TOTAL = 100_000;
const script = resolve(import.meta.dirname, "worker-process.ts");

function startWorker(env: Record<string, string>): { child: ChildProcess; exited: Promise<unknown> } {
  const child = spawn(process.execPath, [script, "history"], {
    env: { ...process.env, ...env, SPOKES_PROJECTION_BATCH_SIZE: "500" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return { child, exited: new Promise((r) => child.once("exit", r)) };
}

describe("a projection worker process killed with SIGKILL mid-run", () => {
  let pg: TestPostgres;
  let nats: TestNats;
  let log: JetStreamEventLog;
  let database: Database;
  let env: Record<string, string>;

  beforeAll(async () => {
    [pg, nats] = await Promise.all([startTestPostgres(), startTestNats()]);
    log = await JetStreamEventLog.open({ servers: nats.url, settings: loadConfig({}) });
    const url = await freshDatabaseUrl(pg.url);
    database = await openDatabase({ url });
    await migrate(database);
    env = { SPOKES_NATS_URL: nats.url, SPOKES_POSTGRES_URL: url };
  });
  afterAll(async () => {
    await log?.close();
    await database?.close();
    await Promise.all([nats?.stop(), pg?.stop()]);
  });

  it("Given 100,000 events, When the worker is killed -9 halfway and restarted, Then history holds exactly 100,000 rows", async () => {
    const reqs = Array.from({ length: TOTAL }, (_, i) => ({
      subject: subjects.property(`meter-${i % 100}`, "power"),
      type: "spokes.PropertyReported",
      data: { watts: i },
    }));
    for (let i = 0; i < TOTAL; i += 20_000) await log.appendMany(reqs.slice(i, i + 20_000));

    const first = startWorker(env);
    await waitFor(async () => (await readCheckpoint(database.db, "history")) >= TOTAL / 4, 60_000, "a quarter");
    first.child.kill("SIGKILL");
    await first.exited;
    const atKill = await readCheckpoint(database.db, "history");
    expect(atKill).toBeLessThan(TOTAL);

    const second = startWorker(env);
    try {
      await waitFor(async () => (await readCheckpoint(database.db, "history")) === TOTAL, 90_000, "all events");
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
    const [row] = await rowsOf<{ n: string; distinct: string; max: string }>(
      database.db,
      sql`select count(*) as n, count(distinct seq) as distinct, max(seq) as max from history_values`,
    );
    expect(row).toEqual({ n: String(TOTAL), distinct: String(TOTAL), max: String(TOTAL) });
  });
});
