/** Users and groups for administrators, from the access read model, in id order. */
import { asc, inArray } from "drizzle-orm";
import { accessGroups, accessGroupThings, accessMembers, accessUsers } from "../../projections/access/tables.ts";
import type { Db } from "../../projections/db/database.ts";

export type UserDetails = {
  id: string;
  displayName: string | null;
  createdAt: string;
  memberships: { group: string; role: string }[];
};
export type GroupDetails = {
  id: string;
  title: string | null;
  createdAt: string;
  members: { user: string; role: string }[];
  things: string[];
};

function byKey<T, K extends keyof T>(rows: T[], key: K): Map<T[K], T[]> {
  const out = new Map<T[K], T[]>();
  for (const r of rows) out.set(r[key], [...(out.get(r[key]) ?? []), r]);
  return out;
}

export async function listUsers(db: Db): Promise<UserDetails[]> {
  const users = await db.select().from(accessUsers).orderBy(asc(accessUsers.user));
  const members = byKey(await db.select().from(accessMembers).orderBy(asc(accessMembers.group)), "user");
  return users.map((u) => ({
    id: u.user,
    displayName: u.displayName,
    createdAt: u.createdAt,
    memberships: (members.get(u.user) ?? []).map((m) => ({ group: m.group, role: m.role })),
  }));
}

/** Every group, or only those named in `only`. */
export async function listGroups(db: Db, only?: string[]): Promise<GroupDetails[]> {
  if (only?.length === 0) return [];
  const groups = await db
    .select()
    .from(accessGroups)
    .where(only ? inArray(accessGroups.group, only) : undefined)
    .orderBy(asc(accessGroups.group));
  const ids = groups.map((g) => g.group);
  if (ids.length === 0) return [];
  const members = byKey(
    await db.select().from(accessMembers).where(inArray(accessMembers.group, ids)).orderBy(asc(accessMembers.user)),
    "group",
  );
  const things = byKey(
    await db
      .select()
      .from(accessGroupThings)
      .where(inArray(accessGroupThings.group, ids))
      .orderBy(asc(accessGroupThings.thing)),
    "group",
  );
  return groups.map((g) => ({
    id: g.group,
    title: g.title,
    createdAt: g.createdAt,
    members: (members.get(g.group) ?? []).map((m) => ({ user: m.user, role: m.role })),
    things: (things.get(g.group) ?? []).map((t) => t.thing),
  }));
}
