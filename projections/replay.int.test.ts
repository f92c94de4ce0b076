import { headers } from "@nats-io/nats-core";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.ts";
import type { AppendRequest } from "../core/event-log.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { subjects } from "../core/subjects.ts";
import { startTestNats, startTestPostgres, type TestNats, type TestPostgres } from "../test/harness/index.ts";
import { type Database, openDatabase, rowsOf } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { PROJECTIONS } from "./registry.ts";
import { type ReplayProgress, replay } from "./replay.ts";
import { ProjectionRunner } from "./runner.ts";
import { projectionStatus } from "./status.ts";
import { freshDatabaseUrl, waitFor } from "./test-support.ts";

const settings = loadConfig({});
const reading = (i: number): AppendRequest => ({
  subject: i % 3 === 0 ? subjects.event(`t${i % 11}`, "tick") : subjects.property(`t${i % 11}`, "level"),
  type: i % 3 === 0 ? "spokes.EventEmitted" : "spokes.PropertyReported",
  data: { i },
});
const range = (from: number, n: number) => Array.from({ length: n }, (_, k) => reading(from + k));

describe.each([
  ["a Postgres server", "postgres"],
  ["embedded PGlite", "pglite"],
] as const)("replay on %s", (_, kind) => {
  let pg: TestPostgres | undefined;
  let nats: TestNats;
  let log: JetStreamEventLog;
  let database: Database;
  let runner: ProjectionRunner;

  beforeAll(async () => {
    if (kind === "postgres") pg = await startTestPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });
  const setUp = async () => {
    nats = await startTestNats();
    log = await JetStreamEventLog.open({ servers: nats.url, settings });
    database = await openDatabase(pg ? { url: await freshDatabaseUrl(pg.url) } : {});
    await migrate(database);
    runner = new ProjectionRunner(database.db, log, PROJECTIONS, { batchSize: 500 });
    await runner.start();
  };
  afterEach(async () => {
    await runner?.stop();
    await log?.close();
    await database?.close();
    await nats?.stop();
  });
  // On a Postgres server replay writes on its writer thread, as `spokes replay` does.
  const writer = (): { writerUrl?: string } => (database.url ? { writerUrl: database.url } : {});
  const caughtUp = () =>
    waitFor(async () => (await projectionStatus(database.db, log)).every((s) => s.lag === 0), 30_000, "lag 0");
  const rows = (table: string, order: string) =>
    rowsOf<Record<string, unknown>>(database.db, sql.raw(`select * from ${table} order by ${order}`));
  const indexNames = () =>
    rowsOf<{ n: string }>(
      database.db,
      sql`select indexname as n from pg_indexes where schemaname = current_schema() order by 1`,
    );

  it("Given history's rows deleted, When replayed, Then the rows are identical and the live runner carries on", async () => {
    await setUp();
    await log.appendMany(range(0, 3000));
    await caughtUp();
    const before = await rows("history_values", "seq");
    const indexes = await indexNames();
    expect(before).toHaveLength(3000);
    await database.db.execute(sql`delete from history_values`);
    const progress: ReplayProgress[] = [];
    const result = await replay("history", { db: database.db, log, ...writer(), onProgress: (p) => progress.push(p) });
    expect(result).toMatchObject({ projection: "history", fromSeq: 1, toSeq: 3000, events: 3000, poison: 0 });
    expect(progress.at(-1)).toMatchObject({ done: 3000, total: 3000, seq: 3000, etaSeconds: 0 });
    expect(await rows("history_values", "seq")).toEqual(before);
    expect(await indexNames()).toEqual(indexes);
    await log.appendMany(range(3000, 10));
    await caughtUp();
    expect(await rows("history_values", "seq")).toHaveLength(3010);
  });

  it("Given a value Postgres refuses among good ones, When history is replayed, Then only it is set aside and the rows equal the live ones", async () => {
    await setUp();
    await log.appendMany(range(0, 1200));
    // A string with a NUL character: valid JSON, refused by jsonb (22P05) in the live insert and in replay's COPY.
    await log.append({ subject: subjects.property("t1", "level"), type: "spokes.PropertyReported", data: "a\u0000b" });
    await log.appendMany(range(1200, 1300));
    await log.append({
      subject: subjects.event("t2", "tick"),
      type: "spokes.EventEmitted",
      data: { text: 'tab\there, newline\nthere, back\\slash, "quoted"', n: 1.5 },
    });
    await caughtUp();
    const before = await rows("history_values", "seq");
    expect(before).toHaveLength(2501);
    const result = await replay("history", { db: database.db, log, ...writer(), batchSize: 1000 });
    expect(result).toMatchObject({ events: 2502, poison: 1 });
    expect(await rows("history_values", "seq")).toEqual(before);
  });

  it("Given payloads stored in other spellings of JSON, When history is replayed, Then the rows equal the live ones", async () => {
    await setUp();
    // Written by another publisher: spacing, repeated keys, escapes, and numbers JavaScript would write otherwise.
    const payloads = [
      '{ "b" : [1, 2,\t3],\n "a": "x" }',
      '{"a": 1, "a": 2}',
      '{"s": "caf\\u00e9 \\ud83d\\ude00 \\/ \\" \\\\"}',
      '{"n": 1.50, "m": 1e2, "k": -0, "big": 12345678901234567890, "small": 0.0000001}',
      "7",
      '"text"',
      "null",
      "not json at all",
    ];
    for (const [i, text] of payloads.entries()) {
      const h = headers();
      for (const [k, v] of Object.entries({
        "ce-specversion": "1.0",
        "ce-id": `raw-${i}`,
        "ce-type": "spokes.PropertyReported",
        "ce-source": "elsewhere",
        "ce-time": "2025-06-01T10:00:00.000Z",
        "ce-received": "2025-06-01T10:00:01.000Z",
      })) {
        h.set(k, v);
      }
      await log.js.publish(subjects.property(`raw${i}`, "level"), new TextEncoder().encode(text), { headers: h });
    }
    await log.appendMany(range(0, 50));
    await caughtUp();
    // Compared as jsonb's text too, where 1.5 and 1.50 differ though JavaScript reads both as the same number.
    const asText = () =>
      rowsOf<{ seq: number; data: string | null }>(
        database.db,
        sql`select seq, data::text as data from history_values order by seq`,
      );
    const before = await rows("history_values", "seq");
    const beforeText = await asText();
    expect(before).toHaveLength(payloads.length + 50);
    expect(beforeText.slice(0, 3).map((r) => r.data)).toEqual([
      '{"a": "x", "b": [1, 2, 3]}',
      '{"a": 2}',
      '{"s": "café 😀 / \\" \\\\"}',
    ]);
    const result = await replay("history", { db: database.db, log, ...writer() });
    expect(result).toMatchObject({ events: payloads.length + 50, poison: 0 });
    expect(await rows("history_values", "seq")).toEqual(before);
    expect(await asText()).toEqual(beforeText);
  });

  it("Given events still arriving, When every projection is replayed live, Then each ends equal to the live rows", async () => {
    await setUp();
    await log.append({
      subject: subjects.thingTd("t1"),
      type: "spokes.ThingDescribed",
      data: { id: "t1", title: "One", "@type": "Sensor" },
    });
    await log.append({ subject: subjects.group("g"), type: "spokes.GroupCreated", data: { title: "G" } });
    await log.append({ subject: subjects.group("g"), type: "spokes.ThingAddedToGroup", data: { thing: "t1" } });
    await log.appendMany(range(0, 2000));
    const arriving = (async () => {
      for (let i = 2000; i < 4000; i += 100) await log.appendMany(range(i, 100));
    })();
    for (const p of PROJECTIONS) await replay(p.name, { db: database.db, log, ...writer(), batchSize: 300 });
    await arriving;
    await caughtUp();
    const live = {
      history: await rows("history_values", "seq"),
      twin: await rows("twin_values", "thing, kind, name"),
      directory: await rows("directory_things", "thing"),
      access: await rows("access_group_things", '"group", thing'),
    };
    expect(live.history).toHaveLength(4000);
    for (const p of PROJECTIONS) await replay(p.name, { db: database.db, log, ...writer() });
    expect(await rows("history_values", "seq")).toEqual(live.history);
    expect(await rows("twin_values", "thing, kind, name")).toEqual(live.twin);
    expect(await rows("directory_things", "thing")).toEqual(live.directory);
    expect(await rows("access_group_things", '"group", thing')).toEqual(live.access);
  });

  it("Given a start sequence, When history is replayed from it, Then earlier rows are kept and the rest rebuilt", async () => {
    await setUp();
    await log.appendMany(range(0, 1000));
    await log.append({ subject: subjects.user("u1"), type: "spokes.UserAdded", data: {} });
    await log.append({ subject: subjects.user("u2"), type: "spokes.UserAdded", data: {} });
    await caughtUp();
    const before = await rows("history_values", "seq");
    await database.db.execute(sql`delete from history_values where seq >= 600`);
    const result = await replay("history", { db: database.db, log, ...writer(), from: 600 });
    expect(result).toMatchObject({ fromSeq: 600, events: 401 });
    expect(await rows("history_values", "seq")).toEqual(before);
    await expect(replay("access", { db: database.db, log, ...writer(), from: 2 })).rejects.toThrow(
      /only be replayed from the start/,
    );
    await expect(replay("nope", { db: database.db, log, ...writer() })).rejects.toThrow(/no projection named/);
    await runner.stop();
    await database.db.execute(sql`drop table provisioning_credentials`);
    await expect(replay("provisioning", { db: database.db, log, ...writer() })).rejects.toThrow(
      /provisioning_credentials is missing/,
    );
  });
});
