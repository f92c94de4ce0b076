/** The history projection: EVENTS stream → `history_values`, bulk-inserted from one JSON parameter per batch. */
import { sql } from "drizzle-orm";
import { insertFromJson, type UnnestColumn } from "../db/bulk-insert.ts";
import { rowsOf } from "../db/database.ts";
import { defineProjection } from "../projection.ts";
import { type HistoryChanges, type HistoryRow, handleHistory } from "./handler.ts";
import { ensurePartitions } from "./partitions.ts";
import { HISTORY_TABLES } from "./tables.ts";

const COLUMNS: UnnestColumn<HistoryRow>[] = [
  { name: "seq", type: "bigint", value: (r) => r.seq },
  { name: "thing", type: "text", value: (r) => r.thing },
  { name: "kind", type: "text", value: (r) => r.kind },
  { name: "name", type: "text", value: (r) => r.name },
  { name: "time", type: "timestamptz", value: (r) => r.time },
  { name: "received_at", type: "timestamptz", value: (r) => r.receivedAt },
  {
    name: "data",
    type: "jsonb",
    value: (r) => (r.data === null || r.data === undefined ? null : JSON.stringify(r.data)),
  },
];

export const history = defineProjection<HistoryChanges>({
  name: "history",
  stream: "EVENTS",
  filter: [],
  tables: HISTORY_TABLES,
  handle: handleHistory,
  async apply(tx, changes) {
    if (changes.insert.length === 0) return;
    await ensurePartitions(
      tx,
      changes.insert.map((r) => r.time),
    );
    await insertFromJson(tx, "history_values", COLUMNS, changes.insert);
  },
  // History outlives the stream's retention: a replay from a later point keeps the older rows.
  async keepBefore(tx, live, fromSeq) {
    const days = await rowsOf<{ day: string }>(
      tx,
      sql`select distinct to_char(time at time zone 'UTC', 'YYYY-MM-DD') as day
          from ${sql.identifier(live)}.history_values where seq < ${fromSeq}`,
    );
    await ensurePartitions(
      tx,
      days.map((d) => `${d.day}T00:00:00.000Z`),
    );
    await tx.execute(
      sql`insert into history_values select * from ${sql.identifier(live)}.history_values where seq < ${fromSeq}`,
    );
  },
});
