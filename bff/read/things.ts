/** The Things a caller may see, by type, text and group, with keyset pagination on the Thing id. */
import { and, arrayContains, asc, eq, gt, ilike, inArray, or, type SQL, sql } from "drizzle-orm";
import { accessGroupThings, accessMembers } from "../../projections/access/tables.ts";
import type { Db } from "../../projections/db/database.ts";
import { likePattern } from "../../projections/directory/queries.ts";
import { directoryThings as t } from "../../projections/directory/tables.ts";
import type { Caller } from "../context.ts";
import { decodeCursor, type Page, pageOf } from "./cursor.ts";
import { prepared } from "./prepared.ts";

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

/** SQL that keeps only Things in a group of `user` (a value or a placeholder). */
function visibleToUser(db: Db, user: unknown): SQL {
  const mine = db
    .select({ thing: accessGroupThings.thing })
    .from(accessGroupThings)
    .innerJoin(accessMembers, eq(accessMembers.group, accessGroupThings.group))
    .where(eq(accessMembers.user, user as string));
  return inArray(t.thing, mine);
}

/** SQL that keeps only Things in a group the caller belongs to (nothing for hub admins). */
export function visibleTo(db: Db, caller: Caller): SQL | undefined {
  return caller.admin ? undefined : visibleToUser(db, caller.user);
}

const p = sql.placeholder;

/** The page query for one combination of filters, prepared once per database. */
function pageStatement(db: Db, shape: { mine: boolean; type: boolean; text: boolean; group: boolean; after: boolean }) {
  const key = `things:${Object.entries(shape)
    .filter(([, on]) => on)
    .map(([k]) => k)
    .join(",")}`;
  return prepared(db, key, (name) => {
    const where: (SQL | undefined)[] = [];
    if (shape.mine) where.push(visibleToUser(db, p("user")));
    if (shape.type) where.push(arrayContains(t.types, p("types")));
    if (shape.text) where.push(or(ilike(t.title, p("pattern")), ilike(t.description, p("pattern"))));
    if (shape.group) {
      const inGroup = db
        .select({ thing: accessGroupThings.thing })
        .from(accessGroupThings)
        .where(eq(accessGroupThings.group, p("group") as unknown as string));
      where.push(inArray(t.thing, inGroup));
    }
    if (shape.after) where.push(gt(t.thing, p("after")));
    return db
      .select(SUMMARY)
      .from(t)
      .where(and(...where))
      .orderBy(asc(t.thing))
      .limit(p("limit") as unknown as number)
      .prepare(name);
  });
}

export async function thingsPage(
  db: Db,
  caller: Caller,
  f: ThingFilter,
  first: number,
  after?: string | null,
): Promise<Page<ThingRow>> {
  const shape = { mine: !caller.admin, type: !!f.type, text: !!f.text, group: !!f.group, after: !!after };
  const rows = (await pageStatement(db, shape).execute({
    user: caller.user,
    types: f.type ? [f.type] : undefined,
    pattern: f.text ? likePattern(f.text) : undefined,
    group: f.group ?? undefined,
    after: after ? decodeCursor(after, "string") : undefined,
    limit: first + 1,
  })) as ThingRow[];
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
