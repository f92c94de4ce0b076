import { requireCaller, roleOnThing } from "../../access.ts";
import { historyPage } from "../../read/history.ts";
import { builder } from "../builder.ts";
import { HistoryOrder, ValueKind } from "../types/history-order.ts";
import { MAX_PAGE } from "../types/page-info.ts";
import { ValuePage } from "../types/value-page.ts";

const EMPTY = { nodes: [], endCursor: null, hasNextPage: false };

builder.queryField("history", (t) =>
  t.field({
    type: ValuePage,
    description: "A Thing's event and property values, optionally by name and time range. Empty when not visible.",
    args: {
      thing: t.arg.id({ required: true }),
      name: t.arg.string(),
      kind: t.arg({ type: ValueKind }),
      from: t.arg({ type: "DateTime", description: "Inclusive." }),
      to: t.arg({ type: "DateTime", description: "Inclusive." }),
      order: t.arg({ type: HistoryOrder, defaultValue: "newest" }),
      first: t.arg.int({ defaultValue: 50 }),
      after: t.arg.string(),
    },
    resolve: async (_root, a, ctx) => {
      const caller = requireCaller(ctx);
      const thing = String(a.thing);
      if ((await roleOnThing(ctx, caller, thing)) === undefined) return EMPTY;
      const first = Math.min(Math.max(a.first ?? 50, 0), MAX_PAGE);
      const q = { thing, name: a.name, kind: a.kind, from: a.from, to: a.to, order: a.order ?? "newest" } as const;
      return historyPage(ctx.services.db, q, first, a.after);
    },
  }),
);
