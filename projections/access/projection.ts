/** The access projection: ACCESS stream → users, groups, members and group Things. */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/database.ts";
import { defineProjection } from "../projection.ts";
import { type AccessOp, handleAccess } from "./handler.ts";
import { ACCESS_TABLES, accessGroups, accessGroupThings, accessMembers, accessUsers } from "./tables.ts";

async function applyOp(tx: Db, o: AccessOp): Promise<void> {
  switch (o.op) {
    case "putUser":
      await tx
        .insert(accessUsers)
        .values({ user: o.user, displayName: o.displayName, createdAt: o.at })
        .onConflictDoUpdate({ target: accessUsers.user, set: { displayName: o.displayName } });
      return;
    case "setPassword":
      await tx.update(accessUsers).set({ passwordHash: o.passwordHash }).where(eq(accessUsers.user, o.user));
      return;
    case "removeUser":
      await tx.delete(accessMembers).where(eq(accessMembers.user, o.user));
      await tx.delete(accessUsers).where(eq(accessUsers.user, o.user));
      return;
    case "putGroup":
      await tx
        .insert(accessGroups)
        .values({ group: o.group, title: o.title, createdAt: o.at })
        .onConflictDoUpdate({ target: accessGroups.group, set: { title: o.title } });
      return;
    case "deleteGroup":
      await tx.delete(accessMembers).where(eq(accessMembers.group, o.group));
      await tx.delete(accessGroupThings).where(eq(accessGroupThings.group, o.group));
      await tx.delete(accessGroups).where(eq(accessGroups.group, o.group));
      return;
    case "putMember":
      await tx
        .insert(accessMembers)
        .values({ group: o.group, user: o.user, role: o.role })
        .onConflictDoUpdate({ target: [accessMembers.group, accessMembers.user], set: { role: sql`excluded.role` } });
      return;
    case "removeMember":
      await tx.delete(accessMembers).where(and(eq(accessMembers.group, o.group), eq(accessMembers.user, o.user)));
      return;
    case "addThing":
      await tx.insert(accessGroupThings).values({ group: o.group, thing: o.thing }).onConflictDoNothing();
      return;
    case "removeThing":
      await tx
        .delete(accessGroupThings)
        .where(and(eq(accessGroupThings.group, o.group), eq(accessGroupThings.thing, o.thing)));
      return;
  }
}

export const access = defineProjection<AccessOp[]>({
  name: "access",
  stream: "ACCESS",
  filter: [],
  tables: ACCESS_TABLES,
  handle: handleAccess,
  async apply(tx, ops) {
    for (const o of ops) await applyOp(tx, o);
  },
});
