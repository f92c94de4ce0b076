/**
 * Shadow tables for replay: copies of a projection's tables (same columns, defaults, constraints, indexes) in a
 * schema of their own, filled while the live ones keep serving, then swapped in within one transaction.
 */
import { sql } from "drizzle-orm";
import { NotFoundError } from "../../core/errors.ts";
import type { Db } from "./database.ts";
import { rowsOf } from "./database.ts";

const ident = (name: string) => sql.identifier(name);

/** The schema a projection's replay builds in. */
export const shadowSchemaOf = (projection: string): string =>
  `replay_${projection.toLowerCase().replace(/[^a-z0-9_]/g, "_")}`;

export async function currentSchema(db: Db): Promise<string> {
  const [row] = await rowsOf<{ schema: string }>(db, sql`select current_schema() as schema`);
  if (!row) throw new Error("no current schema");
  return row.schema;
}

type IndexRow = { name: string; def: string; isConstraint: boolean };

/** The live table's indexes; `isConstraint` for those behind a primary key or unique constraint. */
async function indexesOf(db: Db, schema: string, table: string): Promise<IndexRow[]> {
  return rowsOf<IndexRow>(
    db,
    sql`select i.indexname as name, i.indexdef as def,
          exists (select 1 from pg_constraint c where c.conname = i.indexname and c.connamespace = n.oid) as "isConstraint"
        from pg_indexes i join pg_namespace n on n.nspname = i.schemaname
        where i.schemaname = ${schema} and i.tablename = ${table}`,
  );
}

/** Pure: an index definition moved onto the same table in another schema. */
export function indexDefIn(def: string, schema: string, table: string): string {
  return def.replace(/ ON (ONLY )?\S+ USING /, ` ON "${schema}"."${table}" USING `);
}

/**
 * Drops any leftover shadow schema and creates empty copies of `tables` in a new one: columns, defaults, checks,
 * primary keys and unique constraints (upserts need them), under the live names. Plain indexes come later
 * (`indexShadowTables`), after the bulk of the rows, which is much faster than maintaining them row by row. Keys stay:
 * rows arrive in stream order, so a key on the sequence grows at its right edge for little more than building it
 * afterwards would cost, and that cost is paid while the rows are read instead of after them.
 */
export async function createShadowTables(db: Db, live: string, shadow: string, tables: readonly string[]) {
  for (const t of tables) {
    const [found] = await rowsOf<{ oid: unknown }>(db, sql`select to_regclass(${`"${live}"."${t}"`}) as oid`);
    if (!found?.oid) {
      throw new NotFoundError(
        `table ${live}.${t} is missing; replay rebuilds rows into the tables the migrations made (empty them, do not drop them)`,
      );
    }
  }
  await db.execute(sql`drop schema if exists ${ident(shadow)} cascade`);
  await db.execute(sql`create schema ${ident(shadow)}`);
  for (const t of tables) {
    const [part] = await rowsOf<{ key: string | null }>(
      db,
      sql`select pg_get_partkeydef(${`"${live}"."${t}"`}::regclass) as key`,
    );
    // A partitioned table is copied as a partitioned table; its partitions are made as rows arrive.
    const partition = part?.key ? sql` partition by ${sql.raw(part.key)}` : sql``;
    await db.execute(
      sql`create table ${ident(shadow)}.${ident(t)} (like ${ident(live)}.${ident(t)} including all excluding indexes)${partition}`,
    );
    await addKeys(db, live, shadow, t);
  }
}

/** Adds the live table's primary key and unique constraints to its shadow copy, under the same names. */
async function addKeys(db: Db, live: string, shadow: string, t: string) {
  const constraints = await rowsOf<{ name: string; def: string }>(
    db,
    sql`select conname as name, pg_get_constraintdef(c.oid) as def from pg_constraint c
        where c.conrelid = ${`"${live}"."${t}"`}::regclass and c.contype in ('p', 'u')`,
  );
  for (const c of constraints) {
    await db.execute(sql`alter table ${ident(shadow)}.${ident(t)} add constraint ${ident(c.name)} ${sql.raw(c.def)}`);
  }
}

/**
 * Creates the live tables' plain indexes on the shadow copies, under the same names. They only share the table's
 * lock, so they are built side by side, each on a connection of its own (PGlite runs them in turn).
 */
export async function indexShadowTables(db: Db, live: string, shadow: string, tables: readonly string[]) {
  const plain: string[] = [];
  for (const t of tables) {
    for (const i of await indexesOf(db, live, t)) if (!i.isConstraint) plain.push(indexDefIn(i.def, shadow, t));
  }
  const built = await Promise.allSettled(plain.map((def) => db.execute(sql.raw(def))));
  const failed = built.find((b) => b.status === "rejected");
  if (failed) throw failed.reason;
}

export async function dropShadowTables(db: Db, shadow: string): Promise<void> {
  await db.execute(sql`drop schema if exists ${ident(shadow)} cascade`);
}

/** Makes unqualified table names resolve to the shadow tables for the rest of the transaction. */
export async function useShadow(tx: Db, live: string, shadow: string): Promise<void> {
  await tx.execute(sql`select set_config('search_path', ${`"${shadow}", "${live}"`}, true)`);
}

/**
 * In the caller's transaction: replaces each live table by its shadow copy. The copies' indexes and constraints
 * already carry the live names, so later migrations find them. Readers see the old rows until commit.
 */
export async function swapInShadowTables(tx: Db, live: string, shadow: string, tables: readonly string[]) {
  for (const t of tables) await tx.execute(sql`drop table ${ident(live)}.${ident(t)}`);
  // Every table in the shadow schema moves: the copies and, for partitioned ones, their partitions.
  const moving = await rowsOf<{ name: string }>(
    tx,
    sql`select tablename as name from pg_tables where schemaname = ${shadow}`,
  );
  for (const m of moving)
    await tx.execute(sql`alter table ${ident(shadow)}.${ident(m.name)} set schema ${ident(live)}`);
  await tx.execute(sql`drop schema ${ident(shadow)} cascade`);
}
