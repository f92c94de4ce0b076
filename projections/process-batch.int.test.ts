import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subjects } from "../core/subjects.ts";
import { readCheckpoint } from "./checkpoints.ts";
import { type Database, openDatabase } from "./db/database.ts";
import { migrate } from "./db/migrate.ts";
import { logged } from "./fixtures.ts";
import { processBatch } from "./process-batch.ts";
import { defineProjection, type ProjectionEvent } from "./projection.ts";
import { poisonOf } from "./status.ts";

const seen: number[] = [];
/** A projection whose handler trips over one particular value, as a handler bug would. */
const fragile = defineProjection<ProjectionEvent[]>({
  name: "fragile",
  stream: "EVENTS",
  filter: [],
  tables: [],
  handle(events) {
    if (events.some((e) => e.data === "boom")) throw new TypeError("cannot read 'x' of boom");
    return [...events];
  },
  async apply(_tx, events) {
    seen.push(...events.map((e) => e.seq));
  },
});

const unavailable = defineProjection<null>({
  name: "unavailable",
  stream: "EVENTS",
  filter: [],
  tables: [],
  handle: () => null,
  apply: () => Promise.reject(Object.assign(new Error("connection ended"), { code: "CONNECTION_ENDED" })),
});

describe("processBatch on embedded PGlite", () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase();
    await migrate(database);
  });
  afterAll(async () => {
    await database?.close();
  });
  const e = (seq: number, data: unknown) => logged(seq, subjects.event("x", "y"), "spokes.EventEmitted", data);

  it("Given a handler that throws on one event, When the batch is processed, Then only that event is poison", async () => {
    const outcome = await processBatch(database.db, fragile, [e(1, 1), e(2, "boom"), e(3, 3)]);
    expect(outcome).toMatchObject({ applied: 2, poison: 1, checkpoint: 3 });
    expect(seen).toEqual([1, 3]);
    const [poison] = await poisonOf(database.db, "fragile");
    expect(poison).toMatchObject({ seq: 2, subject: "things.x.event.y" });
    expect(poison?.reason).toMatch(/cannot read 'x' of boom/);
  });

  it("Given the database failing for another reason, When the batch is processed, Then it throws and nothing moves", async () => {
    await expect(processBatch(database.db, unavailable, [e(1, 1), e(2, 2)])).rejects.toThrow(/connection ended/);
    expect(await readCheckpoint(database.db, "unavailable")).toBe(0);
    expect(await poisonOf(database.db, "unavailable")).toEqual([]);
  });
});
