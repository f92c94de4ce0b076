import type { HistoryRow } from "../../read/history.ts";
import { builder } from "../builder.ts";

export const ValueRecord = builder.objectRef<HistoryRow>("ValueRecord").implement({
  description: "One event or property value from a Thing's history.",
  fields: (t) => ({
    seq: t.exposeInt("seq", { description: "EVENTS stream sequence: unique, in the order the hub received them." }),
    thing: t.exposeString("thing"),
    kind: t.exposeString("kind", { description: "`property` or `event`." }),
    name: t.exposeString("name"),
    value: t.field({ type: "JSON", nullable: true, resolve: (r) => r.data }),
    time: t.field({
      type: "DateTime",
      description: "Device time when sane, else receive time.",
      resolve: (r) => r.time,
    }),
    receivedAt: t.field({ type: "DateTime", resolve: (r) => r.receivedAt }),
  }),
});
