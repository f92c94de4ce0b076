import { z } from "zod";
import { NotFoundError } from "../../../core/errors.ts";
import { requireCaller } from "../../access.ts";
import { type TdChange, thingDescriptions } from "../../live/thing-descriptions.ts";
import { subscribeCheck } from "../../live/visibility.ts";
import { builder } from "../builder.ts";
import { Since, sinceInput, startOf } from "../types/since.ts";
import { parseArgs } from "../validate.ts";

const TdChangeRef = builder.objectRef<TdChange>("ThingDescriptionChange").implement({
  description: "A new version of a Thing's TD, or the Thing's removal.",
  fields: (t) => ({
    seq: t.exposeInt("seq", { description: "THINGS stream sequence: the TD's version." }),
    thing: t.exposeString("thing"),
    removed: t.exposeBoolean("removed"),
    td: t.field({ type: "JSON", nullable: true, description: "Null for a removal.", resolve: (c) => c.td }),
    time: t.field({ type: "DateTime", resolve: (c) => c.time }),
  }),
});

const input = z.object({ thing: z.string().min(1).max(256).nullish(), since: sinceInput });

builder.subscriptionField("thingDescriptions", (t) =>
  t.field({
    type: TdChangeRef,
    description:
      "TD changes of one Thing, or of every Thing the caller may see (access re-checked every few seconds). " +
      "`since` works as for thingEvents.",
    args: { thing: t.arg.id(), since: t.arg({ type: Since }) },
    subscribe: async (_root, args, ctx) => {
      requireCaller(ctx);
      const a = parseArgs(input, { ...args, thing: args.thing == null ? null : String(args.thing) });
      const visible = subscribeCheck(ctx);
      if (a.thing && !(await visible(a.thing))) throw new NotFoundError(`no Thing "${a.thing}"`);
      return thingDescriptions(ctx.services, { thing: a.thing, since: startOf(a.since), visible });
    },
    resolve: (change: TdChange) => change,
  }),
);
