/** The Things a caller may see, by type, text and group, with keyset pagination on the Thing id. */
import { and, arrayContains, asc, eq, gt, ilike, inArray, or, type SQL } from "drizzle-orm";
import { accessGroupThings, accessMembers } from "../../projections/access/tables.ts";
import type { Db } from "../../projections/db/database.ts";
import { likePattern } from "../../projections/directory/queries.ts";
import { directoryThings as t } from "../../projections/directory/tables.ts";
import type { Caller } from "../context.ts";
import { decodeCursor, type Page, pageOf } from "./cursor.ts";

/** A directory row; lists leave out the TD (the largest column), which the `td` field then loads in one batch. */
export type ThingRow = Omit<typeof t.$inferSelect, "td"> & { td?: unknown };

const SUMMARY = {
  thing: t.thing,
  title: t.title,
  description: t.description,
  types: t.types,
  source: t.source,
  version: t.version,
  updatedAt: t.updatedAt,
};
export type ThingFilter = { type?: string | null; text?: string | null; group?: string | null };

/** SQL that keeps only Things in a group the caller belongs to (nothing for hub admins). */
export function visibleTo(db: Db, caller: Caller): SQL | undefined {
  if (caller.admin) return undefined;
  const mine = db
    .select({ thing: accessGroupThings.thing })
    .from(accessGroupThings)
    .innerJoin(accessMembers, eq(accessMembers.group, accessGroupThings.group))
    .where(eq(accessMembers.user, caller.user));
  return inArray(t.thing, mine);
}

export async function thingsPage(
  db: Db,
  caller: Caller,
  f: ThingFilter,
  first: number,
  after?: string | null,
): Promise<Page<ThingRow>> {
  const where: (SQL | undefined)[] = [visibleTo(db, caller)];
  if (f.type) where.push(arrayContains(t.types, [f.type]));
  if (f.text) where.push(or(ilike(t.title, likePattern(f.text)), ilike(t.description, likePattern(f.text))));
  if (f.group) {
    const inGroup = db
      .select({ thing: accessGroupThings.thing })
      .from(accessGroupThings)
      .where(eq(accessGroupThings.group, f.group));
    where.push(inArray(t.thing, inGroup));
  }
  if (after) where.push(gt(t.thing, decodeCursor(after, "string")));
  const rows = await db
    .select(SUMMARY)
    .from(t)
    .where(and(...where))
    .orderBy(asc(t.thing))
    .limit(first + 1);
  return pageOf(rows, first, (r) => r.thing);
}

/** One Thing if the caller may see it. */
export async function visibleThing(db: Db, caller: Caller, thing: string): Promise<ThingRow | undefined> {
  const [row] = await db
    .select()
    .from(t)
    .where(and(eq(t.thing, thing), visibleTo(db, caller)));
  return row;
}
