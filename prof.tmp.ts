import { sql } from "drizzle-orm";
import { subjects } from "/work/main/core/subjects.ts";
import { openDatabase } from "/work/main/projections/db/database.ts";
import { migrate } from "/work/main/projections/db/migrate.ts";
import { logged } from "/work/main/projections/fixtures.ts";
import { handleHistory } from "/work/main/projections/history/handler.ts";
import { sortOut } from "/work/main/projections/process-batch.ts";
import { startTestPostgres } from "/work/main/test/harness/index.ts";

const N = 100000;
const evs = Array.from({ length: N }, (_, i) =>
  logged(i + 1, subjects.property(`meter-${i % 500}`, "power"), "spokes.PropertyReported", {
    watts: i % 3000,
    phase: "L1",
  }),
);
const { valid } = sortOut(evs);
const rows = handleHistory(valid).insert;
const pg = await startTestPostgres();
for (const kind of ["postgres", "pglite"]) {
  const d = await openDatabase(kind === "postgres" ? { url: pg.url } : {});
  await migrate(d);
  for (const fn of ["json", "jsonb"]) {
    await d.db.execute(sql`truncate history_values`);
    const t = performance.now();
    for (let i = 0; i < N; i += 1000) {
      const part = rows.slice(i, i + 1000);
      await d.db.transaction(async (tx) => {
        await tx.execute(
          sql`insert into history_values (seq, thing, kind, name, time, received_at, data) select seq, thing, kind, name, time, received_at, data from ${sql.raw(fn)}_to_recordset(${JSON.stringify(part.map((r) => ({ seq: r.seq, thing: r.thing, kind: r.kind, name: r.name, time: r.time, received_at: r.receivedAt, data: r.data })))}::${sql.raw(fn)}) as x(seq bigint, thing text, kind text, name text, time timestamptz, received_at timestamptz, data jsonb) on conflict do nothing`,
        );
      });
    }
    console.log(kind, fn, Math.round(performance.now() - t));
  }
  await d.close();
}
await pg.stop();
