/**
 * The history projection: EVENTS stream → `history_values`, bulk-inserted from one JSON parameter per batch; replay
 * COPYs into the day partitions instead.
 */
import { sql } from "drizzle-orm";
import { type Ack, jsonBytesKeep } from "../../core/jetstream-event-log.ts";
import { type Frame, headerIn, type Span } from "../bare-subscription.ts";
import { insertFromJson, type UnnestColumn } from "../db/bulk-insert.ts";
import { CopyLineWriter, joinLines } from "../db/copy-bytes.ts";
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

/** A row of replay's bulk load: its line of COPY text (as text, or bytes) and the day partition it goes into. */
type CopyRow = { day: string; line: string | Buffer };
const copyRow = (r: HistoryRow): CopyRow => ({ day: dayOf(r.time), line: copyLine(r) });

const CE_TYPE = Buffer.from("\r\nce-type:");
const CE_TIME = Buffer.from("\r\nce-time:");
const CE_RECEIVED = Buffer.from("\r\nce-received:");
const TAB = 9;
const NEWLINE = 10;
/** First bytes of a payload that may be JSON other than null: { [ " - 0…9 t f. Others are decoded as usual. */
const JSONISH = new Uint8Array(256);
for (const c of '{["-0123456789tf') JSONISH[c.charCodeAt(0)] = 1;

/** Per subject: its kind and the middle of its COPY line (`\t<thing>\t<kind>\t<name>\t`); null when not history's. */
const subjects = new Map<string, { kind: "event" | "property"; text: Buffer } | null>();
function subjectPart(subject: string) {
  let part = subjects.get(subject);
  if (part !== undefined) return part;
  const a = addressOf(subject);
  part =
    typeof a === "string" || (a.kind !== "event" && a.kind !== "property")
      ? null
      : { kind: a.kind, text: Buffer.from(`\t${copyCell(a.thing)}\t${a.kind}\t${copyCell(a.name)}\t`) };
  if (subjects.size >= 50_000) subjects.clear();
  subjects.set(subject, part);
  return part;
}

/** The ce-type values met so far (a few), as bytes, with whether `checkEvent` takes them as they are per kind. */
const types: { bytes: Buffer; event: boolean; property: boolean }[] = [];
function typeTaken(buf: Buffer, from: number, to: number, kind: "event" | "property"): boolean {
  search: for (const t of types) {
    if (t.bytes.length !== to - from) continue;
    for (let i = 0; i < t.bytes.length; i++) if (t.bytes[i] !== buf[from + i]) continue search;
    return t[kind];
  }
  const text = buf.toString("utf8", from, to);
  const entry = {
    bytes: Buffer.from(text),
    event: takesAnyJson(text, "event"),
    property: takesAnyJson(text, "property"),
  };
  if (types.length < 16) types.push(entry);
  return entry[kind];
}

/** The day of the last time read (`YYYY-MM-DD`), kept so that a run of rows of one day makes one string. */
const dayBytes = Buffer.alloc(10);
let day = "";
/** Pure but for the cache above: the day of a UTC time written as `YYYY-MM-DD…Z`; undefined for other forms. */
function dayAt(buf: Buffer, from: number, to: number): string | undefined {
  if (to - from < 11 || buf[to - 1] !== 90 || buf[from + 4] !== 45 || buf[from + 7] !== 45) return undefined;
  let same = day !== "";
  for (let i = 0; i < 10; i++) {
    const c = buf[from + i] as number;
    if (i !== 4 && i !== 7 && (c < 48 || c > 57)) return undefined;
    if (c !== dayBytes[i]) same = false;
  }
  if (same) return day;
  buf.copy(dayBytes, 0, from, from + 10);
  day = buf.toString("latin1", from, from + 10);
  return day;
}

const lines = new CopyLineWriter();
const type: Span = { from: 0, to: 0 };
const time: Span = { from: 0, to: 0 };
const received: Span = { from: 0, to: 0 };

/**
 * The row `handleHistory` makes of an event or property value that `checkEvent` takes as it is, straight from the
 * stored bytes: no text, no event object, no catalogue lookup beyond the type; the payload's JSON goes into the
 * line as stored (Postgres parses it; one it refuses sends the batch back through `apply`). Anything else (a time
 * not in UTC, no ce-received header, an empty or null payload, numbers JavaScript would write differently) is
 * decoded as usual.
 */
function historyRowOf(f: Frame, ack: Ack): CopyRow | undefined {
  const { buf } = f;
  const part = subjectPart(buf.toString("utf8", f.subject, f.subjectEnd));
  if (part === null) return undefined;
  if (!headerIn(f, CE_TYPE, type) || !typeTaken(buf, type.from, type.to, part.kind)) return undefined;
  // The hub writes ce-time after ce-type and ce-received after ce-time.
  const timed = headerIn(f, CE_TIME, time, type.to);
  if (!headerIn(f, CE_RECEIVED, received, timed ? time.to : type.to)) return undefined;
  const at = timed ? time : received;
  const rowDay = dayAt(buf, at.from, at.to);
  if (rowDay === undefined) return undefined;
  let payload = f.payload;
  // Without a byte order mark, as nats.js decodes it.
  if (buf[payload] === 0xef && buf[payload + 1] === 0xbb && buf[payload + 2] === 0xbf) payload += 3;
  if (payload >= f.payloadEnd || JSONISH[buf[payload] as number] !== 1) return undefined;
  if (!jsonBytesKeep(buf, payload, f.payloadEnd)) return undefined;
  lines.raw(buf, ack.seq, ack.seqEnd).raw(part.text, 0, part.text.length);
  lines.field(buf, at.from, at.to).byte(TAB).field(buf, received.from, received.to).byte(TAB);
  lines.field(buf, payload, f.payloadEnd).byte(NEWLINE);
  return { day: rowDay, line: lines.end() };
}

/**
 * Replay's bulk load: COPY straight into each day's partition of the shadow table (creating the partitions this
 * replay has not made yet, in the same transaction). The rows and partitions are those `apply` makes; Postgres
 * checks each row against its partition's bounds.
 */
const bulkHistory: BulkLoad<HistoryChanges, CopyRow> = {
  rows: (changes) => changes.insert.map(copyRow),
  rowOf: historyRowOf,
  async write(copy, target, rows) {
    const byDay = new Map<string, (string | Buffer)[]>();
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
      return { table: `${schema}.${quoted(p.name)}`, columns: COPY_COLUMNS, text: joinLines(lines) };
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
