import { requireCaller } from "../../access.ts";
import { listGroups } from "../../read/access.ts";
import { builder } from "../builder.ts";
import { GroupDetailsRef } from "../types/access-details.ts";

builder.queryField("groups", (t) =>
  t.field({
    type: [GroupDetailsRef],
    description:
      "Groups with their members, roles and Things: every group for hub administrators, the groups they " +
      "administer for group administrators, none for others.",
    resolve: (_root, _a, ctx) => {
      const caller = requireCaller(ctx);
      if (caller.admin) return listGroups(ctx.services.db);
      const administered = [...caller.roles].filter(([, role]) => role === "admin").map(([group]) => group);
      return listGroups(ctx.services.db, administered);
    },
  }),
);
