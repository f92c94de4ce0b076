import { requireCaller, roleOnThing } from "../../access.ts";
import { actionsPage } from "../../read/actions.ts";
import { builder } from "../builder.ts";
import { ActionPage } from "../types/action-record.ts";
import { ActionStateEnum } from "../types/action-state.ts";
import { MAX_PAGE } from "../types/page-info.ts";

const EMPTY = { nodes: [], endCursor: null, hasNextPage: false };

builder.queryField("actions", (t) =>
  t.field({
    type: ActionPage,
    description:
      "A Thing's actions, newest request first, optionally in one state (`status`) or any of several " +
      "(`statuses`), and requested between `from` and `to` (for an action whose request aged out of the log, its " +
      `first known step counts). Empty when not visible. \`first\` is at most ${MAX_PAGE}.`,
    args: {
      thing: t.arg.id({ required: true }),
      status: t.arg({ type: ActionStateEnum }),
      statuses: t.arg({ type: [ActionStateEnum], description: "Any of these states; combined with `status` by and." }),
      from: t.arg({ type: "DateTime", description: "Requested at or after; inclusive." }),
      to: t.arg({ type: "DateTime", description: "Requested at or before; inclusive." }),
      first: t.arg.int({ defaultValue: 20 }),
      after: t.arg.string(),
    },
    resolve: async (_root, a, ctx) => {
      const caller = requireCaller(ctx);
      const thing = String(a.thing);
      if ((await roleOnThing(ctx, caller, thing)) === undefined) return EMPTY;
      const first = Math.min(Math.max(a.first ?? 20, 0), MAX_PAGE);
      const q = { thing, state: a.status, states: a.statuses, from: a.from, to: a.to };
      return actionsPage(ctx.services.db, q, first, a.after);
    },
  }),
);
