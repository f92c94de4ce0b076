/**
 * Prepared statements for the hottest reads, one per query shape and database. Building a query with drizzle's
 * builder costs more CPU than running it on a warm Postgres; a prepared statement is built once and then only
 * takes its parameters.
 */
import type { Db } from "../../projections/db/database.ts";

type Executable<R> = { execute(params: Record<string, unknown>): Promise<R> };

const statements = new WeakMap<Db, Map<string, Executable<unknown>>>();
let counter = 0;

/** The statement `shape` on `db`, built by `build` (given a unique statement name) on first use. */
export function prepared<R>(db: Db, shape: string, build: (name: string) => Executable<R>): Executable<R> {
  let byShape = statements.get(db);
  if (!byShape) {
    byShape = new Map();
    statements.set(db, byShape);
  }
  let statement = byShape.get(shape) as Executable<R> | undefined;
  if (!statement) {
    statement = build(`bff_${counter++}`);
    byShape.set(shape, statement as Executable<unknown>);
  }
  return statement;
}
