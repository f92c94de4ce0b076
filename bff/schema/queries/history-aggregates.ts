import { z } from "zod";
import { requireCaller, roleOnThing } from "../../access.ts";
import { historyBuckets, MAX_BUCKETS } from "../../read/history-buckets.ts";
import { builder } from "../builder.ts";
import { ValueKind } from "../types/history-order.ts";
import { ValueBucket } from "../types/value-bucket.ts";
import { parseArgs } from "../validate.ts";

const input = z.object({
  thing: z.string().min(1).max(256),
  name: z.string().min(1).max(128),
  kind: z.enum(["event", "property"]).nullish(),
  from: z.date(),
  to: z.date(),
  every: z
    .number()
    .int()
    .min(1)
    .max(366 * 24 * 3600),
  path: z.array(z.string().min(1).max(128)).max(8).nullish(),
});

builder.queryField("historyAggregates", (t) =>
  t.field({
    type: [ValueBucket],
    description:
      "Count, min, max and average of a Thing's numeric values of one name, per interval of `every` seconds " +
      "starting at `from`, oldest first. Values that are not JSON numbers (or, with `path`, have no number at " +
      `that path) are left out, and so are intervals without any. At most ${MAX_BUCKETS} intervals. Empty when ` +
      "not visible.",
    args: {
      thing: t.arg.id({ required: true }),
      name: t.arg.string({ required: true }),
      kind: t.arg({ type: ValueKind }),
      from: t.arg({ type: "DateTime", required: true, description: "Inclusive." }),
      to: t.arg({ type: "DateTime", required: true, description: "Inclusive." }),
      every: t.arg.int({ required: true, description: "Interval width in seconds." }),
      path: t.arg.stringList({ description: 'Keys into object values, e.g. ["temperature"].' }),
    },
    resolve: async (_root, args, ctx) => {
      const caller = requireCaller(ctx);
      const a = parseArgs(input, { ...args, thing: String(args.thing) });
      if ((await roleOnThing(ctx, caller, a.thing)) === undefined) return [];
      return historyBuckets(ctx.services.db, { ...a, path: a.path ?? [] });
    },
  }),
);
