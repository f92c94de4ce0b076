/** Twin queries for the BFF. */
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/database.ts";
import { twinValues as t } from "./tables.ts";

/** The latest values of one Thing, properties and events, ordered by kind and name. */
export function latestValues(db: Db, thing: string) {
  return db.select().from(t).where(eq(t.thing, thing)).orderBy(asc(t.kind), asc(t.name));
}

/** The latest value of one property (or event); undefined when none was reported. */
export async function latestValue(db: Db, thing: string, name: string, kind: "property" | "event" = "property") {
  const rows = await db
    .select()
    .from(t)
    .where(and(eq(t.thing, thing), eq(t.kind, kind), eq(t.name, name)));
  return rows[0];
}
