import { z } from "zod";
import { builder } from "../builder.ts";

export const Since = builder.inputType("Since", {
  description: "Where a subscription starts: exactly one of a stream sequence (inclusive) or a time.",
  fields: (t) => ({ seq: t.int(), time: t.field({ type: "DateTime" }) }),
});

export const sinceInput = z
  .object({ seq: z.number().int().min(1).nullish(), time: z.date().nullish() })
  .refine((s) => (s.seq == null) !== (s.time == null), "give exactly one of seq and time")
  .nullish();

/** The start a parsed `since` names, or undefined for only new facts. */
export const startOf = (s: z.infer<typeof sinceInput>) => s?.seq ?? s?.time ?? undefined;
