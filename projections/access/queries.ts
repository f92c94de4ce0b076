/** Access queries: the groups of a user or a Thing, and whether a user may do an operation on a Thing. */
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/database.ts";
import { highestRole, isRole, type Operation, roleAllows } from "./roles.ts";
import { accessGroupThings, accessMembers } from "./tables.ts";

/** The groups the user belongs to, with the user's role in each. */
export function groupsOfUser(db: Db, user: string) {
  return db
    .select({ group: accessMembers.group, role: accessMembers.role })
    .from(accessMembers)
    .where(eq(accessMembers.user, user))
    .orderBy(asc(accessMembers.group));
}

/** The groups that hold the Thing. */
export async function groupsOfThing(db: Db, thing: string): Promise<string[]> {
  const rows = await db
    .select({ group: accessGroupThings.group })
    .from(accessGroupThings)
    .where(eq(accessGroupThings.thing, thing))
    .orderBy(asc(accessGroupThings.group));
  return rows.map((r) => r.group);
}

/** The user's highest role over the Thing, through every group that holds both; undefined when none. */
export async function roleOn(db: Db, user: string, thing: string) {
  const rows = await db
    .select({ role: accessMembers.role })
    .from(accessMembers)
    .innerJoin(accessGroupThings, eq(accessGroupThings.group, accessMembers.group))
    .where(and(eq(accessMembers.user, user), eq(accessGroupThings.thing, thing)));
  return highestRole(rows.map((r) => r.role).filter(isRole));
}

/** Whether the user may do the operation on the Thing. */
export async function mayUser(db: Db, user: string, operation: Operation, thing: string): Promise<boolean> {
  const role = await roleOn(db, user, thing);
  return role !== undefined && roleAllows(role, operation);
}
