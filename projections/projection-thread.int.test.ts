import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../core/config.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { subjects } from "../core/subjects.ts";
import { startTestNats, startTestPostgres, type TestNats, type TestPostgres } from "../test/harness/index.ts";
import { readCheckpoint } from "./checkpoints.ts";
import { type Database, openDatabase, rowsOf } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { type ProjectionThread, startProjectionThread } from "./projection-thread.ts";
import { freshDatabaseUrl, waitFor } from "./test-support.ts";

describe("the projection thread against real nats-server and Postgres", () => {
  let pg: TestPostgres;
  let nats: TestNats;
  let log: JetStreamEventLog;
  let database: Database;
  let url: string;
  let config: Config;
  let thread: ProjectionThread | undefined;
  const errors: { projection: string; message: string }[] = [];
  const onError = (projection: string, err: Error) => errors.push({ projection, message: err.message });

  const append = (from: number, n: number) =>
    log.appendMany(
      Array.from({ length: n }, (_, i) => ({
        subject: subjects.event(`thread-${(from + i) % 10}`, "reading"),
        type: "spokes.EventEmitted",
        data: { n: from + i },
      })),
    );
  const historyRows = async () =>
    Number((await rowsOf<{ n: string }>(database.db, sql`select count(*) as n from history_values`))[0]?.n);

  beforeAll(async () => {
    [pg, nats] = await Promise.all([startTestPostgres(), startTestNats()]);
    config = loadConfig({ SPOKES_PROJECTION_MAX_WAIT: "10ms" });
    log = await JetStreamEventLog.open({ servers: nats.url, settings: config });
    url = await freshDatabaseUrl(pg.url);
    database = await openDatabase({ url });
    await migrate(database);
  });
  afterAll(async () => {
    await thread?.stop();
    await log?.close();
    await database?.close();
    await Promise.all([nats?.stop(), pg?.stop()]);
  });

  it("Given events in the stream, When the thread runs the projections, Then history and the twin hold them", async () => {
    await append(0, 500);
    thread = await startProjectionThread({ config, natsUrl: nats.url, database: { url }, onError });
    await waitFor(async () => (await readCheckpoint(database.db, "history")) >= 500, 30_000, "history");
    await waitFor(async () => (await readCheckpoint(database.db, "twin")) >= 500, 30_000, "twin");
    expect(await historyRows()).toBe(500);
    const twin = await rowsOf<{ n: string }>(database.db, sql`select count(*) as n from twin_values`);
    expect(twin[0]?.n).toBe("10");
    expect(errors).toEqual([]);
  });

  it("Given the thread ends unexpectedly, When events keep coming, Then it is started again and loses nothing", async () => {
    const running = thread as ProjectionThread;
    const first = running.worker();
    await first.terminate();
    await waitFor(() => running.worker() !== first, 10_000, "a new thread");
    expect(errors.some((e) => e.projection === "projections" && /projection thread ended/.test(e.message))).toBe(true);
    await append(500, 500);
    await waitFor(async () => (await readCheckpoint(database.db, "history")) >= 1000, 30_000, "history after restart");
    expect(await historyRows()).toBe(1000);
  });

  it("Given a running thread, When it is stopped, Then it ends and later events wait in the stream", async () => {
    await (thread as ProjectionThread).stop();
    const ended = (thread as ProjectionThread).worker().threadId;
    expect(ended).toBe(-1);
    thread = undefined;
    await append(1000, 10);
    await new Promise((r) => setTimeout(r, 300));
    expect(await readCheckpoint(database.db, "history")).toBe(1000);
  });

  it("Given a database that does not exist, When the thread starts, Then the start fails with Postgres's reason", async () => {
    const missing = `${url.replace(/\/[^/]*$/, "")}/no_such_database_here`;
    await expect(
      startProjectionThread({ config, natsUrl: nats.url, database: { url: missing }, onError }),
    ).rejects.toThrow(/no_such_database_here/);
  });
});
