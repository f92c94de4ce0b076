/** The harness itself: real services on free ports in temporary folders, gone after stop. */
import { existsSync } from "node:fs";
import { connect } from "@nats-io/transport-node";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { startTestNats, startTestPostgres } from "./index.ts";

describe("test harness", () => {
  it("starts a Postgres server that accepts queries, and removes it afterwards", async () => {
    const pg = await startTestPostgres();
    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const [row] = await sql<{ v: string }[]>`select current_setting('server_version_num') as v`;
      expect(Number(row?.v)).toBeGreaterThanOrEqual(150000);
      await sql`create table t (id int primary key)`;
      await sql`insert into t values (1), (2)`;
      expect((await sql`select count(*)::int as n from t`)[0]?.n).toBe(2);
    } finally {
      await sql.end();
      await pg.stop();
    }
  });

  it("starts a nats-server with JetStream in a temporary folder and removes the folder afterwards", async () => {
    const nats = await startTestNats();
    const nc = await connect({ servers: nats.url });
    const version = nc.info?.version;
    await nc.close();
    await nats.stop();
    expect(version).toMatch(/^2\.(1[0-9])\./);
    expect(existsSync(nats.dir)).toBe(false);
  });
});
