/**
 * The history projection: EVENTS stream → `history_values`, bulk-inserted from one JSON parameter per batch; replay
 * COPYs into the day partitions instead.
 */
import { sql } from "drizzle-orm";
import { headerValue } from "../../core/ce-headers.ts";
import { payloadOf, receivedAtOf } from "../../core/jetstream-event-log.ts";
import { insertFromJson, type UnnestColumn } from "../db/bulk-insert.ts";
import { copyCell, rowsOf } from "../db/database.ts";
import { type BulkLoad, defineProjection } from "../projection.ts";
import { addressOf, takesAnyJson } from "../validate.ts";
import { type HistoryChanges, type HistoryRow, handleHistory } from "./handler.ts";
import { dayOf, ensurePartitions, partitionOf } from "./partitions.ts";
import { HISTORY_TABLES } from "./tables.ts";

/**
 * The jsonb column's text: the JSON text (as stored when the event kept it, which reads back as the same jsonb
 * value), or SQL NULL (so JSON null stays apart from SQL NULL as elsewhere).
 */
const dataText = (r: HistoryRow): string | null =>
  r.data === null || r.data === undefined ? null : (r.json ?? JSON.stringify(r.data));

const COLUMNS: UnnestColumn<HistoryRow>[] = [
  { name: "seq", type: "bigint", value: (r) => r.seq },
  { name: "thing", type: "text", value: (r) => r.thing },
  { name: "kind", type: "text", value: (r) => r.kind },
  { name: "name", type: "text", value: (r) => r.name },
  { name: "time", type: "timestamptz", value: (r) => r.time },
  { name: "received_at", type: "timestamptz", value: (r) => r.receivedAt },
  { name: "data", type: "jsonb", value: (r) => dataText(r) },
];

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;
const COPY_COLUMNS = COLUMNS.map((c) => quoted(c.name)).join(", ");

/** Pure: a row as a line of COPY text, in the order of COLUMNS, each value in the text form `insertFromJson` sends. */
function copyLine(r: HistoryRow): string {
  return `${copyCell(r.seq)}\t${copyCell(r.thing)}\t${copyCell(r.kind)}\t${copyCell(r.name)}\t${copyCell(r.time)}\t${copyCell(r.receivedAt)}\t${copyCell(dataText(r))}\n`;
}

/** A row of replay's bulk load: its line of COPY text and the day partition it goes into. */
type CopyRow = { day: string; line: string };
const copyRow = (r: HistoryRow): CopyRow => ({ day: dayOf(r.time), line: copyLine(r) });

/**
 * Replay's bulk load: COPY straight into each day's partition of the shadow table (creating the partitions this
 * replay has not made yet, in the same transaction). The rows and partitions are those `apply` makes; Postgres
 * checks each row against its partition's bounds.
 */
const bulkHistory: BulkLoad<HistoryChanges, CopyRow> = {
  rows: (changes) => changes.insert.map(copyRow),
  // The row `handleHistory` makes of an event or property value that `checkEvent` takes as it is, read from the
  // stored text: no event object, no catalogue lookup beyond the type. Anything else goes the usual way.
  rowOf(m, d) {
    const address = addressOf(m.subject);
    if (typeof address === "string" || (address.kind !== "event" && address.kind !== "property")) return undefined;
    if (!takesAnyJson(headerValue(m.header, "\r\nce-type:"), address.kind)) return undefined;
    const { data, json } = payloadOf(m.payload);
    if (json === undefined) return undefined;
    const receivedAt = receivedAtOf(headerValue(m.header, "\r\nce-received:"), d);
    const time = headerValue(m.header, "\r\nce-time:") || receivedAt;
    const { thing, kind, name } = address;
    return copyRow({ seq: d.streamSequence, thing, kind, name, time, receivedAt, data, json });
  },
  async write(copy, target, rows) {
    const byDay = new Map<string, string[]>();
    for (const r of rows) {
      const lines = byDay.get(r.day);
      if (lines) lines.push(r.line);
      else byDay.set(r.day, [r.line]);
    }
    const schema = quoted(target.shadow);
    const creating: string[] = [];
    const before: string[] = [];
    const parts = [...byDay].map(([day, lines]) => {
      const p = partitionOf(day);
      if (!target.made.has(p.name)) {
        creating.push(p.name);
        before.push(
          `create table if not exists ${schema}.${quoted(p.name)} partition of ${schema}."history_values"
           for values from ('${p.from}') to ('${p.to}')`,
        );
      }
      return { table: `${schema}.${quoted(p.name)}`, columns: COPY_COLUMNS, text: lines.join("") };
    });
    if (!(await copy(before, parts))) return false;
    for (const name of creating) target.made.add(name);
    return true;
  },
};

export const history = defineProjection<HistoryChanges, CopyRow>({
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
  bulk: bulkHistory,
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
