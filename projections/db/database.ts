/**
 * The read-model database: the same drizzle API over a Postgres server (postgres.js) or embedded PGlite.
 * This file and `migrate.ts` are the only places that know which one is underneath.
 */
import { mkdirSync } from "node:fs";
import { connect as connectTcp, type Socket } from "node:net";
import type { Writable } from "node:stream";
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
    const client = postgres(o.url, {
      max: o.maxConnections ?? 10,
      onnotice: () => {},
      socket: noDelaySockets(),
    } as postgres.Options<Record<string, never>>);
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

type SocketOptions = { host: string[]; port: number[]; path?: string | false };

/**
 * Connections with Nagle's algorithm off. postgres.js leaves it on, so the small CopyDone message that ends a COPY
 * waits for the server's delayed ACK, about 40 ms a COPY. Connects as postgres.js does (a Unix socket path, else the
 * hosts in turn); postgres.js then runs TLS and the start-up over the socket.
 */
function noDelaySockets(): (o: SocketOptions) => Socket {
  let next = 0;
  return (o) => {
    if (o.path) return connectTcp({ path: o.path, noDelay: true });
    const i = next++ % Math.max(1, o.host.length);
    const host = o.host[i] ?? "localhost";
    const socket = connectTcp({ host, port: o.port[i] ?? o.port[0] ?? 5432, noDelay: true });
    // postgres.js names the TLS server (SNI) after this.
    return Object.assign(socket, { host });
  };
}

/** One table's rows in COPY's text format (tab-separated, `\N` for null, see `copyCell`), for `copyIn`. */
export type CopyPart = {
  /** The table, schema-qualified and quoted as SQL. */
  table: string;
  /** Quoted column names, in the order of the text's fields. */
  columns: string;
  text: string;
};

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
  const copy = (p: CopyPart, target: string) => `copy ${p.table} (${p.columns}) from ${target}`;
  if (client instanceof PGlite) {
    const run = async (q: Pick<PGlite, "query">) => {
      for (const statement of before) await q.query(statement);
      for (const p of parts) await q.query(copy(p, "'/dev/blob'"), [], { blob: new Blob([p.text]) });
    };
    if (before.length === 0 && parts.length === 1) await run(client);
    else await client.transaction(run);
    return true;
  }
  if (typeof client !== "function" || typeof (client as Partial<postgres.Sql>).begin !== "function") return false;
  const sql = client as postgres.Sql;
  const run = async (q: postgres.Sql | postgres.TransactionSql) => {
    for (const statement of before) await q.unsafe(statement);
    for (const p of parts) await copyText(q.unsafe(copy(p, "stdin")), p.text);
  };
  if (before.length === 0 && parts.length === 1) await run(sql);
  else await sql.begin(run);
  return true;
}

/** The query's settling, which postgres.js keeps to itself once it has handed out the COPY stream. */
type QueryInternals = { resolve(value: unknown): void; reject(err: unknown): void; active: boolean };

/**
 * Sends `text` to a `copy … from stdin` query and waits for the server's verdict. postgres.js resolves the query
 * with the stream when the COPY starts and reports the end only by the stream finishing, which never happens when
 * the server refuses the data; so the query's own settling is taken over to learn of either.
 */
async function copyText(query: postgres.PendingQuery<postgres.Row[]>, text: string): Promise<void> {
  const stream: Writable = await query.writable();
  const internals = query as unknown as QueryInternals;
  await new Promise<void>((resolve, reject) => {
    internals.resolve = () => {
      internals.active = false;
      resolve();
    };
    internals.reject = (err) => {
      internals.active = false;
      reject(err);
    };
    stream.on("error", reject);
    stream.end(text);
  });
}
