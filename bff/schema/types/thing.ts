import { NotFoundError } from "../../../core/errors.ts";
import { requireCaller } from "../../access.ts";
import { groupsOf, latestValuesOf, tdOf } from "../../read/thing-details.ts";
import type { ThingRow } from "../../read/things.ts";
import { builder } from "../builder.ts";
import { LatestValue } from "./latest-value.ts";

export const Thing = builder.objectRef<ThingRow>("Thing").implement({
  description: "A Thing the caller may see, as its current Thing Description says.",
  fields: (t) => ({
    id: t.id({ resolve: (r) => r.thing }),
    title: t.exposeString("title"),
    description: t.exposeString("description", { nullable: true }),
    types: t.exposeStringList("types", { description: "The TD's `@type` values." }),
    td: t.field({
      type: "JSON",
      description: "The whole Thing Description.",
      resolve: async (r, _a, ctx) => {
        const td = r.td !== undefined ? r.td : await tdOf(ctx, r.thing);
        if (td === undefined) throw new NotFoundError(`"${r.thing}" was removed`);
        return td;
      },
    }),
    version: t.exposeInt("version", { description: "THINGS stream sequence of this TD version." }),
    updatedAt: t.field({ type: "DateTime", resolve: (r) => r.updatedAt }),
    latestValues: t.field({ type: [LatestValue], resolve: (r, _a, ctx) => latestValuesOf(ctx, r.thing) }),
    groups: t.stringList({
      description: "The groups holding the Thing; only the caller's own unless the caller is an admin.",
      resolve: async (r, _a, ctx) => {
        const caller = requireCaller(ctx);
        const groups = await groupsOf(ctx, r.thing);
        return caller.admin ? groups : groups.filter((g) => caller.roles.has(g));
      },
    }),
  }),
});
