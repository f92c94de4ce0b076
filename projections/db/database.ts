/**
 * The read-model database: the same drizzle API over a Postgres server (postgres.js) or embedded PGlite.
 * This file and `migrate.ts` are the only places that know which one is underneath.
 */
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { SQLWrapper } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";

/** A drizzle database or an open transaction on one; read models and the runner only need this much. */
export type Db = PgDatabase<PgQueryResultHKT>;

export type DatabaseOptions = {
  /** A Postgres URL; when absent, embedded PGlite is used. */
  url?: string;
  /** PGlite's data folder; in memory when absent. Ignored with `url`. */
  dataDir?: string;
  /** Connections in the postgres.js pool. */
  maxConnections?: number;
};

export type Database = {
  db: Db;
  kind: "postgres" | "pglite";
  /** The postgres.js client when `kind` is "postgres" (for COPY); undefined on PGlite. */
  client?: postgres.Sql;
  close(): Promise<void>;
};

/** Opens the database named by the options. Run `migrate(db)` before using the read models. */
export async function openDatabase(o: DatabaseOptions = {}): Promise<Database> {
  if (o.url) {
    const client = postgres(o.url, { max: o.maxConnections ?? 10, onnotice: () => {} });
    return {
      db: drizzlePostgres({ client }) as unknown as Db,
      kind: "postgres",
      client,
      close: () => client.end({ timeout: 5 }),
    };
  }
  if (o.dataDir) mkdirSync(o.dataDir, { recursive: true });
  const client = await PGlite.create(o.dataDir ?? "memory://");
  return { db: drizzlePglite({ client }) as unknown as Db, kind: "pglite", close: () => client.close() };
}

/** Runs raw SQL and returns its rows, whichever driver is underneath (postgres.js gives an array, PGlite `{rows}`). */
export async function rowsOf<T>(db: Db, query: SQLWrapper | string): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
