/**
 * COPY over postgres.js, and the sockets it needs to be quick: the part of `database.ts` that replay's writer thread
 * uses on its own (without drizzle or PGlite, so the thread starts fast).
 */
import { connect as connectTcp, type Socket } from "node:net";
import type { Writable } from "node:stream";
import type postgres from "postgres";

/** One table's rows in COPY's text format (tab-separated, `\N` for null, see `copyCell`), for `copyIn`. */
export type CopyPart = {
  /** The table, schema-qualified and quoted as SQL. */
  table: string;
  /** Quoted column names, in the order of the text's fields. */
  columns: string;
  /** The rows, as text or as its UTF-8 bytes. */
  text: string | Uint8Array;
};

/**
 * Runs the `before` statements, then COPYs each part into its table, all in one transaction; a lone COPY runs on its
 * own (one statement is atomic). Errors are Postgres's (with their SQLSTATE).
 */
export async function copyInPostgres(sql: postgres.Sql, before: readonly string[], parts: readonly CopyPart[]) {
  const run = async (q: postgres.Sql | postgres.TransactionSql) => {
    for (const statement of before) await q.unsafe(statement);
    for (const p of parts) await copyText(q.unsafe(`copy ${p.table} (${p.columns}) from stdin`), p.text);
  };
  if (before.length === 0 && parts.length === 1) await run(sql);
  else await sql.begin(run);
}

type SocketOptions = { host: string[]; port: number[]; path?: string | false };

/**
 * Connections with Nagle's algorithm off. postgres.js leaves it on, so the small CopyDone message that ends a COPY
 * waits for the server's delayed ACK, about 40 ms a COPY. Connects as postgres.js does (a Unix socket path, else the
 * hosts in turn); postgres.js then runs TLS and the start-up over the socket.
 */
export function noDelaySockets(): (o: SocketOptions) => Socket {
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

/** The query's settling, which postgres.js keeps to itself once it has handed out the COPY stream. */
type QueryInternals = { resolve(value: unknown): void; reject(err: unknown): void; active: boolean };

/**
 * Sends `text` to a `copy … from stdin` query and waits for the server's verdict. postgres.js resolves the query
 * with the stream when the COPY starts and reports the end only by the stream finishing, which never happens when
 * the server refuses the data; so the query's own settling is taken over to learn of either.
 */
async function copyText(query: postgres.PendingQuery<postgres.Row[]>, text: string | Uint8Array): Promise<void> {
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
