/** The digital twin projection: EVENTS stream → `twin_values`, the latest value per Thing and affordance. */
import { sql } from "drizzle-orm";
import { chunks, rowsPerStatement } from "../db/bulk-insert.ts";
import { defineProjection } from "../projection.ts";
import { handleTwin, type TwinChanges } from "./handler.ts";
import { TWIN_TABLES, twinValues as t } from "./tables.ts";

export const twin = defineProjection<TwinChanges>({
  name: "twin",
  stream: "EVENTS",
  filter: [],
  tables: TWIN_TABLES,
  handle: handleTwin,
  // The latest value may be older than the replay's start (or the stream's retention): keep it.
  async keepBefore(tx, live, fromSeq) {
    await tx.execute(
      sql`insert into twin_values select * from ${sql.identifier(live)}.twin_values where seq < ${fromSeq}`,
    );
  },
  async apply(tx, { upsert }) {
    for (const part of chunks(upsert, rowsPerStatement(6))) {
      await tx
        .insert(t)
        .values(part)
        .onConflictDoUpdate({
          target: [t.thing, t.kind, t.name],
          set: { value: sql`excluded.value`, time: sql`excluded.time`, seq: sql`excluded.seq` },
          // A value that arrives late with an older device time does not replace a newer one.
          setWhere: sql`(${t.time}, ${t.seq}) < (excluded.time, excluded.seq)`,
        });
    }
  },
});
