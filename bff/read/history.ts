/** A Thing's event and property history, by name and time range, newest or oldest first, keyset on sequence. */
import { and, asc, desc, eq, gt, gte, lt, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../projections/db/database.ts";
import { historyValues as h } from "../../projections/history/tables.ts";
import { decodeCursor, type Page, pageOf } from "./cursor.ts";
import { prepared } from "./prepared.ts";

export type HistoryRow = typeof h.$inferSelect;
export type HistoryQuery = {
  thing: string;
  name?: string | null;
  kind?: "event" | "property" | null;
  from?: Date | null;
  to?: Date | null;
  order: "newest" | "oldest";
};

const p = sql.placeholder;

type Shape = { name: boolean; kind: boolean; from: boolean; to: boolean; after: boolean; newest: boolean };

/** The page query for one combination of filters and order, prepared once per database. */
function pageStatement(db: Db, shape: Shape) {
  const key = `history:${Object.entries(shape)
    .filter(([, on]) => on)
    .map(([k]) => k)
    .join(",")}`;
  return prepared(db, key, (name) => {
    const where: SQL[] = [eq(h.thing, p("thing"))];
    if (shape.name) where.push(eq(h.name, p("name")));
    if (shape.kind) where.push(eq(h.kind, p("kind")));
    if (shape.from) where.push(gte(h.time, p("from")));
    if (shape.to) where.push(lte(h.time, p("to")));
    if (shape.after) where.push(shape.newest ? lt(h.seq, p("after")) : gt(h.seq, p("after")));
    return db
      .select()
      .from(h)
      .where(and(...where))
      .orderBy(shape.newest ? desc(h.seq) : asc(h.seq))
      .limit(p("limit") as unknown as number)
      .prepare(name);
  });
}

export async function historyPage(
  db: Db,
  q: HistoryQuery,
  first: number,
  after?: string | null,
): Promise<Page<HistoryRow>> {
  const newest = q.order === "newest";
  const shape = { name: !!q.name, kind: !!q.kind, from: !!q.from, to: !!q.to, after: !!after, newest };
  const rows = (await pageStatement(db, shape).execute({
    thing: q.thing,
    name: q.name ?? undefined,
    kind: q.kind ?? undefined,
    from: q.from?.toISOString(),
    to: q.to?.toISOString(),
    after: after ? decodeCursor(after, "number") : undefined,
    limit: first + 1,
  })) as HistoryRow[];
  return pageOf(rows, first, (r) => r.seq);
}
