import { z } from "zod";
import { NotFoundError } from "../../../core/errors.ts";
import { roleAllows } from "../../../projections/access/roles.ts";
import { requireCaller, roleOnThing } from "../../access.ts";
import type { Context } from "../../context.ts";
import { thingEvents } from "../../live/thing-events.ts";
import type { HistoryRow } from "../../read/history.ts";
import { builder } from "../builder.ts";
import { ValueRecord } from "../types/value-record.ts";
import { parseArgs } from "../validate.ts";

const Since = builder.inputType("Since", {
  description: "Where a subscription starts: exactly one of a stream sequence (inclusive) or a time.",
  fields: (t) => ({ seq: t.int(), time: t.field({ type: "DateTime" }) }),
});

const input = z.object({
  thing: z.string().min(1).max(256),
  name: z.string().min(1).max(128).nullish(),
  since: z
    .object({ seq: z.number().int().min(1).nullish(), time: z.date().nullish() })
    .refine((s) => (s.seq == null) !== (s.time == null), "give exactly one of seq and time")
    .nullish(),
});

/** Re-checks the caller's access at most every few seconds, so a removed member stops receiving events. */
function accessCheck(ctx: Context, thing: string, everyMs = 5000) {
  let checkedAt = Date.now();
  let allowed = true;
  return async () => {
    if (Date.now() - checkedAt < everyMs) return allowed;
    checkedAt = Date.now();
    const caller = requireCaller(ctx);
    const role = await roleOnThing(ctx, caller, thing);
    allowed = role !== undefined && roleAllows(role, "subscribe");
    return allowed;
  };
}

builder.subscriptionField("thingEvents", (t) =>
  t.field({
    type: ValueRecord,
    description:
      "A Thing's events and property values as they arrive, optionally by name. With `since`, the stored history " +
      "from there comes first, then the live tail, with nothing missing or repeated. Ends when access is lost.",
    args: {
      thing: t.arg.id({ required: true }),
      name: t.arg.string(),
      since: t.arg({ type: Since }),
    },
    subscribe: async (_root, args, ctx) => {
      const caller = requireCaller(ctx);
      const a = parseArgs(input, { ...args, thing: String(args.thing) });
      const role = await roleOnThing(ctx, caller, a.thing);
      // Not visible and not allowed look the same: an empty subscription would hide typos, so fail instead.
      if (role === undefined || !roleAllows(role, "subscribe")) {
        throw new NotFoundError(`no Thing "${a.thing}"`);
      }
      const since = a.since?.seq ?? a.since?.time ?? undefined;
      return thingEvents(ctx.services.log, { thing: a.thing, name: a.name, since, allowed: accessCheck(ctx, a.thing) });
    },
    resolve: (row: HistoryRow) => row,
  }),
);
