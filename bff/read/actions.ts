/**
 * A Thing's actions from the action history read model, newest request first, keyset on (time, id), optionally
 * in given states and within a range of request times.
 */
import { and, desc, eq, inArray, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { ValidationError } from "../../core/errors.ts";
import type { Db } from "../../projections/db/database.ts";
import { historyActions as a } from "../../projections/history/tables.ts";
import { decodeCursor, type Page, pageOf } from "./cursor.ts";

export type ActionRow = typeof a.$inferSelect;

/** The keyset an actions cursor carries: the request time as Postgres printed it, and the action id. */
const actionsCursor = z.tuple([
  z.string().regex(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/),
  z.string().min(1).max(256),
]);

function decodeActionsCursor(after: string): [string, string] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(decodeCursor(after, "string"));
  } catch {}
  const keyset = actionsCursor.safeParse(parsed);
  if (!keyset.success) {
    throw new ValidationError("the cursor is not one this server gave out", [{ path: "after", message: "bad cursor" }]);
  }
  return keyset.data;
}

// A request that aged out of the stream has no request time; its first known step stands in.
const since = sql`coalesce(${a.requestedAt}, ${a.updatedAt})`;

export async function actionsPage(
  db: Db,
  q: { thing: string; state?: string | null; states?: readonly string[] | null; from?: Date | null; to?: Date | null },
  first: number,
  after?: string | null,
): Promise<Page<ActionRow>> {
  const where: SQL[] = [eq(a.thing, q.thing)];
  if (q.state) where.push(eq(a.state, q.state));
  if (q.states) where.push(q.states.length ? inArray(a.state, [...q.states]) : sql`false`);
  if (q.from) where.push(sql`${since} >= ${q.from.toISOString()}::timestamptz`);
  if (q.to) where.push(sql`${since} <= ${q.to.toISOString()}::timestamptz`);
  if (after) {
    const [time, id] = decodeActionsCursor(after);
    where.push(sql`(${since}, ${a.actionId}) < (${time}::timestamptz, ${id})`);
  }
  const rows = await db
    .select({ row: a, since: sql<string>`${since}::text` })
    .from(a)
    .where(and(...where))
    .orderBy(desc(since), desc(a.actionId))
    .limit(first + 1);
  const page = pageOf(rows, first, (r) => JSON.stringify([r.since, r.row.actionId]));
  return { ...page, nodes: page.nodes.map((r) => r.row) };
}
