import { requireCaller } from "../../access.ts";
import { listUsers } from "../../read/access.ts";
import { builder } from "../builder.ts";
import { UserDetailsRef } from "../types/access-details.ts";

builder.queryField("users", (t) =>
  t.field({
    type: [UserDetailsRef],
    description: "Every user with their groups and roles, for hub administrators; others see only themselves.",
    resolve: async (_root, _a, ctx) => {
      const caller = requireCaller(ctx);
      const users = await listUsers(ctx.services.db);
      return caller.admin ? users : users.filter((u) => u.id === caller.user);
    },
  }),
);
