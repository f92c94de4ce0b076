/**
 * The read-model database: the same drizzle API over a Postgres server (postgres.js) or embedded PGlite.
 * This file, `migrate.ts` and `postgres-copy.ts` (COPY over postgres.js, for replay's writer thread too) are the only
 * places that know which one is underneath.
 */
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import type { SQLWrapper } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { type CopyPart, copyInPostgres, noDelaySockets } from "./postgres-copy.ts";

export type { CopyPart } from "./postgres-copy.ts";

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
  /** The server's URL when `kind` is "postgres" (for threads that open connections of their own). */
  url?: string;
  close(): Promise<void>;
};

/** Opens the database named by the options. Run `migrate(db)` before using the read models. */
export async function openDatabase(o: DatabaseOptions = {}): Promise<Database> {
  if (o.url) {
    const client = postgres(o.url, {
      max: o.maxConnections ?? 10,
      onnotice: () => {},
      socket: noDelaySockets(),
    } as postgres.Options<Record<string, never>>);
    return {
      db: drizzlePostgres({ client }) as unknown as Db,
      kind: "postgres",
      client,
      url: o.url,
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

/** Pure: a value in COPY's text format: `\N` for null; backslash, tab, newline and carriage return escaped. */
export function copyCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "\\N";
  const s = typeof value === "string" ? value : String(value);
  return COPY_SPECIAL.test(s) ? s.replace(COPY_ESCAPES, (c) => COPY_ESCAPE[c] ?? c) : s;
}
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES = /[\\\t\n\r]/g;
const COPY_ESCAPE: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/**
 * Runs the `before` statements, then COPYs each part into its table, all in one transaction; a lone COPY runs on its
 * own (one statement is atomic). Returns false, having done nothing, when the driver underneath cannot COPY.
 * Errors are Postgres's (with their SQLSTATE), as from `db.execute`.
 */
export async function copyIn(db: Db, before: readonly string[], parts: readonly CopyPart[]): Promise<boolean> {
  const client = (db as { $client?: unknown }).$client;
  if (client instanceof PGlite) {
    const run = async (q: Pick<PGlite, "query">) => {
      for (const statement of before) await q.query(statement);
      for (const p of parts)
        await q.query(`copy ${p.table} (${p.columns}) from '/dev/blob'`, [], {
          blob: new Blob([p.text as string | Uint8Array<ArrayBuffer>]),
        });
    };
    if (before.length === 0 && parts.length === 1) await run(client);
    else await client.transaction(run);
    return true;
  }
  if (typeof client !== "function" || typeof (client as Partial<postgres.Sql>).begin !== "function") return false;
  await copyInPostgres(client as postgres.Sql, before, parts);
  return true;
}
