import { z } from "zod";
import { NotFoundError } from "../../../core/errors.ts";
import { requireCaller } from "../../access.ts";
import { thingEvents } from "../../live/thing-events.ts";
import { subscribeCheck } from "../../live/visibility.ts";
import type { HistoryRow } from "../../read/history.ts";
import { builder } from "../builder.ts";
import { Since, sinceInput, startOf } from "../types/since.ts";
import { ValueRecord } from "../types/value-record.ts";
import { parseArgs } from "../validate.ts";

const input = z.object({
  thing: z.string().min(1).max(256),
  name: z.string().min(1).max(128).nullish(),
  since: sinceInput,
});

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
      requireCaller(ctx);
      const a = parseArgs(input, { ...args, thing: String(args.thing) });
      const may = subscribeCheck(ctx);
      // Not visible and not allowed look the same: an empty subscription would hide typos, so fail instead.
      if (!(await may(a.thing))) throw new NotFoundError(`no Thing "${a.thing}"`);
      const allowed = () => may(a.thing);
      return thingEvents(ctx.services, { thing: a.thing, name: a.name, since: startOf(a.since), allowed });
    },
    resolve: (row: HistoryRow) => row,
  }),
);
