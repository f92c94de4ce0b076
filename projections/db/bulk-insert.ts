/** Multi-row inserts that stay under Postgres's 65,535 bind parameters per statement. */
import { sql } from "drizzle-orm";
import type { PgTable, TableConfig } from "drizzle-orm/pg-core";
import type { Db } from "./database.ts";

export const MAX_PARAMETERS = 65_535;

/** Pure: how many rows of `columns` columns fit in one statement (capped at `cap`). */
export function rowsPerStatement(columns: number, cap = 5000): number {
  return Math.max(1, Math.min(cap, Math.floor(MAX_PARAMETERS / Math.max(1, columns))));
}

/** Pure: splits rows into chunks of at most `size`. */
export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/** Inserts the rows, skipping any whose key is already there (a repeat of an event already applied). */
export async function insertIgnoringRepeats<T extends PgTable<TableConfig>>(
  tx: Db,
  table: T,
  rows: readonly T["$inferInsert"][],
): Promise<void> {
  const first = rows[0];
  if (first === undefined) return;
  for (const part of chunks(rows, rowsPerStatement(Object.keys(first).length))) {
    await tx.insert(table).values(part).onConflictDoNothing();
  }
}

/** Pure: a Postgres array literal of the values (each quoted, `NULL` for null), for `unnest($1::type[])`. */
export function arrayLiteral(values: readonly unknown[]): string {
  const item = (v: unknown) =>
    v === null || v === undefined ? "NULL" : `"${String(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `{${values.map(item).join(",")}}`;
}

export type UnnestColumn<Row> = { name: string; type: string; value: (row: Row) => unknown };

/**
 * Inserts rows with one array parameter per column (`insert … select * from unnest(…)`): no limit on rows per
 * statement from the 65,535 parameters, and far less work than a multi-row VALUES list. Repeats are ignored.
 */
export async function insertByUnnest<Row>(
  tx: Db,
  table: string,
  columns: readonly UnnestColumn<Row>[],
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const names = sql.join(
    columns.map((c) => sql.identifier(c.name)),
    sql`, `,
  );
  const arrays = sql.join(
    columns.map((c) => sql`${arrayLiteral(rows.map(c.value))}::${sql.raw(c.type)}[]`),
    sql`, `,
  );
  await tx.execute(
    sql`insert into ${sql.identifier(table)} (${names}) select * from unnest(${arrays}) on conflict do nothing`,
  );
}

/**
 * Inserts rows as one JSON text parameter read by `json_to_recordset`: the same effect as `insertByUnnest`, but
 * serialising is one native `JSON.stringify` instead of escaping every value into array literals, which is most of
 * the Node-side cost of a history batch. Values go in as the column's text form (jsonb columns: the JSON text, as
 * `insertByUnnest` takes them, so JSON null stays apart from SQL NULL). Repeats are ignored.
 */
export async function insertFromJson<Row>(
  tx: Db,
  table: string,
  columns: readonly UnnestColumn<Row>[],
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const records = new Array<Record<string, unknown>>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const record: Record<string, unknown> = {};
    for (const c of columns) record[c.name] = c.value(rows[i] as Row);
    records[i] = record;
  }
  const names = sql.join(
    columns.map((c) => sql.identifier(c.name)),
    sql`, `,
  );
  const casts = sql.join(
    columns.map((c) => (c.type === "jsonb" ? sql`${sql.identifier(c.name)}::jsonb` : sql.identifier(c.name))),
    sql`, `,
  );
  const shape = sql.join(
    columns.map((c) => sql`${sql.identifier(c.name)} ${sql.raw(c.type === "jsonb" ? "text" : c.type)}`),
    sql`, `,
  );
  await tx.execute(
    sql`insert into ${sql.identifier(table)} (${names}) select ${casts}
        from json_to_recordset(${JSON.stringify(records)}::text::json) as r(${shape}) on conflict do nothing`,
  );
}
