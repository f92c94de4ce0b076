/** Directory queries for the BFF: by type, by text in title or description, by group. */
import { and, arrayContains, asc, ilike, inArray, or, type SQL } from "drizzle-orm";
import { accessGroupThings } from "../access/tables.ts";
import type { Db } from "../db/database.ts";
import { directoryThings as t } from "./tables.ts";

export type ThingQuery = { type?: string; text?: string; group?: string; limit?: number; offset?: number };

/** Escapes LIKE wildcards so user text matches literally. */
export const likePattern = (text: string): string => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function findThings(db: Db, q: ThingQuery = {}) {
  const where: SQL[] = [];
  if (q.type !== undefined) where.push(arrayContains(t.types, [q.type]));
  if (q.text !== undefined) {
    const p = likePattern(q.text);
    const match = or(ilike(t.title, p), ilike(t.description, p));
    if (match) where.push(match);
  }
  if (q.group !== undefined) {
    const inGroup = db
      .select({ thing: accessGroupThings.thing })
      .from(accessGroupThings)
      .where(inArray(accessGroupThings.group, [q.group]));
    where.push(inArray(t.thing, inGroup));
  }
  return db
    .select()
    .from(t)
    .where(and(...where))
    .orderBy(asc(t.thing))
    .limit(q.limit ?? 100)
    .offset(q.offset ?? 0);
}
