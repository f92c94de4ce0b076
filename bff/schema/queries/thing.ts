import { requireCaller } from "../../access.ts";
import { visibleThing } from "../../read/things.ts";
import { builder } from "../builder.ts";
import { Thing } from "../types/thing.ts";

builder.queryField("thing", (t) =>
  t.field({
    type: Thing,
    nullable: true,
    description: "One Thing; null when it does not exist or the caller may not see it.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, a, ctx) => visibleThing(ctx.services.db, requireCaller(ctx), String(a.id)),
  }),
);
