import type { Caller } from "../../context.ts";
import { builder } from "../builder.ts";

export const Membership = builder.objectRef<{ group: string; role: string }>("Membership").implement({
  fields: (t) => ({ group: t.exposeString("group"), role: t.exposeString("role") }),
});

export const Me = builder.objectRef<Caller>("Me").implement({
  description: "The caller: user id, whether a hub administrator, and roles per group.",
  fields: (t) => ({
    user: t.exposeString("user"),
    admin: t.exposeBoolean("admin"),
    memberships: t.field({
      type: [Membership],
      resolve: (c) => [...c.roles].map(([group, role]) => ({ group, role })),
    }),
  }),
});
