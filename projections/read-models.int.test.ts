import { afterAll, beforeAll } from "vitest";
import { startTestPostgres, type TestPostgres } from "../test/harness/index.ts";
import { openDatabase } from "./db/database.ts";
import { readModelContract } from "./read-models.contract.ts";
import { freshDatabaseUrl } from "./test-support.ts";

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

readModelContract("a Postgres server (postgres.js)", async () => openDatabase({ url: await freshDatabaseUrl(pg.url) }));
readModelContract("embedded PGlite", () => openDatabase());
