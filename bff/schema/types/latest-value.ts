import type { twinValues } from "../../../projections/twin/tables.ts";
import { builder } from "../builder.ts";

export const LatestValue = builder.objectRef<typeof twinValues.$inferSelect>("LatestValue").implement({
  description: "The latest value of one property or event of a Thing (the digital twin).",
  fields: (t) => ({
    kind: t.exposeString("kind", { description: "`property` or `event`." }),
    name: t.exposeString("name"),
    value: t.field({ type: "JSON", nullable: true, resolve: (r) => r.value }),
    time: t.field({ type: "DateTime", resolve: (r) => r.time }),
    seq: t.exposeInt("seq", { description: "EVENTS stream sequence of the value." }),
  }),
});
