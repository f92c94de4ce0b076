import type { Bucket } from "../../read/history-buckets.ts";
import { builder } from "../builder.ts";

export const ValueBucket = builder.objectRef<Bucket>("ValueBucket").implement({
  description: "Aggregates of the numeric values in one interval of a Thing's history.",
  fields: (t) => ({
    start: t.field({
      type: "DateTime",
      description: "Where the interval begins (inclusive).",
      resolve: (b) => b.start,
    }),
    count: t.exposeInt("count", { description: "Numeric values in the interval." }),
    min: t.exposeFloat("min"),
    max: t.exposeFloat("max"),
    avg: t.exposeFloat("avg"),
  }),
});
