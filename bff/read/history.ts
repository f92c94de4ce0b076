/** A Thing's event and property history, by name and time range, newest or oldest first, keyset on sequence. */
import { and, asc, desc, eq, gt, gte, lt, lte, type SQL } from "drizzle-orm";
import type { Db } from "../../projections/db/database.ts";
import { historyValues as h } from "../../projections/history/tables.ts";
import { decodeCursor, type Page, pageOf } from "./cursor.ts";

export type HistoryRow = typeof h.$inferSelect;
export type HistoryQuery = {
  thing: string;
  name?: string | null;
  kind?: "event" | "property" | null;
  from?: Date | null;
  to?: Date | null;
  order: "newest" | "oldest";
};

export async function historyPage(
  db: Db,
  q: HistoryQuery,
  first: number,
  after?: string | null,
): Promise<Page<HistoryRow>> {
  const where: SQL[] = [eq(h.thing, q.thing)];
  if (q.name) where.push(eq(h.name, q.name));
  if (q.kind) where.push(eq(h.kind, q.kind));
  if (q.from) where.push(gte(h.time, q.from.toISOString()));
  if (q.to) where.push(lte(h.time, q.to.toISOString()));
  const newest = q.order === "newest";
  if (after) {
    const seq = decodeCursor(after, "number");
    where.push(newest ? lt(h.seq, seq) : gt(h.seq, seq));
  }
  const rows = await db
    .select()
    .from(h)
    .where(and(...where))
    .orderBy(newest ? desc(h.seq) : asc(h.seq))
    .limit(first + 1);
  return pageOf(rows, first, (r) => r.seq);
}
