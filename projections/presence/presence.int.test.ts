import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subjects } from "../../core/subjects.ts";
import { startTestPostgres, type TestPostgres } from "../../test/harness/index.ts";
import { readCheckpoint } from "../checkpoints.ts";
import { type Database, openDatabase } from "../db/database.ts";
import { migrate } from "../db/migrate.ts";
import { logged } from "../fixtures.ts";
import { processBatch } from "../process-batch.ts";
import { freshDatabaseUrl } from "../test-support.ts";
import { presence } from "./projection.ts";
import { presenceOf } from "./queries.ts";

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

const changed = (seq: number, device: string, data: object) =>
  logged(seq, subjects.presence(device), "spokes.PresenceChanged", data);

function presenceContract(kind: string, open: () => Promise<Database>) {
  describe(`presence read model on ${kind}`, () => {
    let database: Database;
    beforeAll(async () => {
      database = await open();
      await migrate(database);
    });
    afterAll(async () => {
      await database?.close();
    });

    it("Given connects and disconnects over two batches, When processed, Then each device shows its last change", async () => {
      await processBatch(database.db, presence, [
        changed(1, "dev-1", { state: "connected", binding: "mqtt" }),
        changed(2, "dev-2", { state: "asleep", until: "2026-11-01T01:00:00.000Z", binding: "lwm2m" }),
      ]);
      await processBatch(database.db, presence, [changed(3, "dev-1", { state: "disconnected", binding: "mqtt" })]);
      const rows = await presenceOf(database.db, ["dev-1", "dev-2", "dev-3"]);
      expect(rows.map((r) => [r.device, r.state, r.binding, r.seq]).sort()).toEqual([
        ["dev-1", "disconnected", "mqtt", 3],
        ["dev-2", "asleep", "lwm2m", 2],
      ]);
      expect(await readCheckpoint(database.db, "presence")).toBe(3);
    });

    it("Given a batch delivered again and a bad payload, When processed, Then nothing moves back and the bad one is poison", async () => {
      const again = await processBatch(database.db, presence, [changed(1, "dev-1", { state: "connected" })]);
      const bad = await processBatch(database.db, presence, [changed(4, "dev-1", { state: "dozing" })]);
      expect([again.skipped, bad.poison]).toEqual([1, 1]);
      const [row] = await presenceOf(database.db, ["dev-1"]);
      expect(row?.state).toBe("disconnected");
    });
  });
}

presenceContract("a Postgres server (postgres.js)", async () => openDatabase({ url: await freshDatabaseUrl(pg.url) }));
presenceContract("embedded PGlite", () => openDatabase());
