import { headers } from "@nats-io/nats-core";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { subjects } from "../core/subjects.ts";
import { startTestNats, startTestPostgres, type TestNats, type TestPostgres } from "../test/harness/index.ts";
import { type Database, openDatabase, rowsOf } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { history } from "./history/projection.ts";
import { ProjectionRunner } from "./runner.ts";
import { poisonOf, projectionStatus } from "./status.ts";
import { freshDatabaseUrl, waitFor } from "./test-support.ts";

const settings = loadConfig({});

describe("projection runner against real nats-server and Postgres", () => {
  let pg: TestPostgres;
  let nats: TestNats;
  let log: JetStreamEventLog;
  let database: Database;
  let runner: ProjectionRunner | undefined;

  beforeAll(async () => {
    pg = await startTestPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });
  const setUp = async () => {
    nats = await startTestNats();
    log = await JetStreamEventLog.open({ servers: nats.url, settings });
    database = await openDatabase({ url: await freshDatabaseUrl(pg.url) });
    await migrate(database);
  };
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await log?.close();
    await database?.close();
    await nats?.stop();
  });

  const historyCount = async () =>
    Number((await rowsOf<{ n: string }>(database.db, sql`select count(*) as n from history_values`))[0]?.n);

  it("Given events in the stream, When the runner runs, Then every event is a row once and the lag drops to 0", async () => {
    await setUp();
    await log.appendMany(
      Array.from({ length: 2500 }, (_, i) => ({
        subject: subjects.property(`thing-${i % 7}`, "level"),
        type: "spokes.PropertyReported",
        data: i,
      })),
    );
    runner = new ProjectionRunner(database.db, log, [history], { batchSize: 300 });
    await runner.start();
    await waitFor(async () => (await projectionStatus(database.db, log, [history]))[0]?.lag === 0);
    expect(await historyCount()).toBe(2500);
    await log.append({ subject: subjects.event("thing-1", "click"), type: "spokes.EventEmitted", data: { n: 1 } });
    await waitFor(async () => (await historyCount()) === 2501, 10_000, "the live event");
    const [status] = await projectionStatus(database.db, log, [history]);
    expect(status).toMatchObject({ name: "history", checkpoint: 2501, head: 2501, lag: 0, poison: 0 });
  });

  it("Given poison messages, When the runner meets them, Then it records them with seq and reason and keeps going", async () => {
    await setUp();
    await log.append({ subject: subjects.event("a", "x"), type: "spokes.EventEmitted", data: 1 });
    // Written by "an older version": a type the catalogue no longer knows, and a value Postgres refuses.
    const h = headers();
    h.set("ce-type", "spokes.LegacyReading");
    await log.js.publish(subjects.event("a", "x"), JSON.stringify({ v: 1 }), { headers: h });
    const h2 = headers();
    h2.set("ce-type", "spokes.PropertyReported");
    await log.js.publish(subjects.property("a", "p"), JSON.stringify({ text: "nul\u0000" }), { headers: h2 });
    await log.append({ subject: subjects.event("a", "x"), type: "spokes.EventEmitted", data: 4 });
    runner = new ProjectionRunner(database.db, log, [history]);
    await runner.start();
    await waitFor(async () => (await projectionStatus(database.db, log, [history]))[0]?.lag === 0);
    expect(await historyCount()).toBe(2);
    const poison = await poisonOf(database.db, "history");
    expect(poison.map((p) => [p.seq, p.type])).toEqual([
      [2, "spokes.LegacyReading"],
      [3, "spokes.PropertyReported"],
    ]);
    expect(poison[0]?.reason).toMatch(/unknown event type/);
    expect(poison[1]?.reason).toMatch(/^22/);
    expect((await projectionStatus(database.db, log, [history]))[0]?.poison).toBe(2);
  });

  it("Given a running projection, When nats-server comes back before its JetStream does, Then it goes on with the events appended since", async () => {
    await setUp();
    const append = (from: number, n: number, to = log) =>
      to.appendMany(
        Array.from({ length: n }, (_, i) => ({
          subject: subjects.event("across", "e"),
          type: "spokes.EventEmitted",
          data: from + i,
        })),
      );
    await append(0, 300);
    runner = new ProjectionRunner(database.db, log, [history]);
    await runner.start();
    await waitFor(async () => (await historyCount()) === 300);
    await nats.restart({ withoutJetStreamMs: 3000 });
    const other = await JetStreamEventLog.open({ servers: nats.url, settings, ensure: false });
    await append(300, 300, other);
    await other.close();
    // Ten seconds: nats.js alone would wait 15 to 45 s before asking JetStream again.
    await waitFor(async () => (await historyCount()) === 600, 10_000, "the events appended after the restart");
    const [status] = await projectionStatus(database.db, log, [history]);
    expect(status).toMatchObject({ checkpoint: 600, head: 600, lag: 0, poison: 0 });
  });

  it("Given a runner stopped and started again, When more events arrive, Then it resumes after its checkpoint", async () => {
    await setUp();
    const append = (n: number) =>
      log.appendMany(
        Array.from({ length: n }, (_, i) => ({
          subject: subjects.event("r", "e"),
          type: "spokes.EventEmitted",
          data: i,
        })),
      );
    await append(500);
    runner = new ProjectionRunner(database.db, log, [history]);
    await runner.start();
    await waitFor(async () => (await historyCount()) === 500);
    await runner.stop();
    await append(500);
    runner = new ProjectionRunner(database.db, log, [history]);
    await runner.start();
    await waitFor(async () => (await projectionStatus(database.db, log, [history]))[0]?.lag === 0);
    expect(await historyCount()).toBe(1000);
  });
});
