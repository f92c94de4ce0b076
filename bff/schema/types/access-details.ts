import type { GroupDetails, UserDetails } from "../../read/access.ts";
import { builder } from "../builder.ts";
import { Membership } from "./me.ts";

const Member = builder.objectRef<{ user: string; role: string }>("Member").implement({
  fields: (t) => ({ user: t.exposeString("user"), role: t.exposeString("role") }),
});

export const UserDetailsRef = builder.objectRef<UserDetails>("UserDetails").implement({
  description: "A user as the access read model knows them, with their groups and roles.",
  fields: (t) => ({
    id: t.exposeID("id"),
    displayName: t.exposeString("displayName", { nullable: true }),
    createdAt: t.field({ type: "DateTime", resolve: (u) => u.createdAt }),
    memberships: t.field({ type: [Membership], resolve: (u) => u.memberships }),
  }),
});

export const GroupDetailsRef = builder.objectRef<GroupDetails>("GroupDetails").implement({
  description: "A group with its members, their roles, and its Things.",
  fields: (t) => ({
    id: t.exposeID("id"),
    title: t.exposeString("title", { nullable: true }),
    createdAt: t.field({ type: "DateTime", resolve: (g) => g.createdAt }),
    members: t.field({ type: [Member], resolve: (g) => g.members }),
    things: t.exposeStringList("things"),
  }),
});
