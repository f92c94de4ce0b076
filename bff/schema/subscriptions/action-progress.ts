import { eq } from "drizzle-orm";
import { z } from "zod";
import { NotFoundError } from "../../../core/errors.ts";
import { historyActions } from "../../../projections/history/tables.ts";
import { requireCaller } from "../../access.ts";
import type { Context } from "../../context.ts";
import { type ActionStep, actionStateFilter, isTerminal, toActionStep } from "../../live/action-states.ts";
import { END, liveEvents } from "../../live/replay-then-watch.ts";
import { subscribeCheck } from "../../live/visibility.ts";
import { builder } from "../builder.ts";
import { ActionStateEnum } from "../types/action-state.ts";
import { Since, sinceInput, startOf } from "../types/since.ts";
import { parseArgs } from "../validate.ts";

const ActionStepRef = builder.objectRef<ActionStep>("ActionStep").implement({
  description: "One step of an action's life.",
  fields: (t) => ({
    seq: t.exposeInt("seq", { description: "ACTIONS stream sequence of the step." }),
    actionId: t.exposeID("actionId"),
    state: t.field({ type: ActionStateEnum, resolve: (s) => s.state }),
    time: t.field({ type: "DateTime", resolve: (s) => s.time }),
    output: t.field({ type: "JSON", nullable: true, resolve: (s) => s.output ?? null }),
    error: t.string({ nullable: true, resolve: (s) => s.error ?? null }),
  }),
});

const input = z.object({ actionId: z.string().min(1).max(256), since: sinceInput });

/** The Thing an action is for: from the action history, or (not projected yet) from its first step in the log. */
async function thingOfAction(ctx: Context, actionId: string): Promise<string | undefined> {
  const [row] = await ctx.services.db
    .select({ thing: historyActions.thing })
    .from(historyActions)
    .where(eq(historyActions.actionId, actionId));
  if (row) return row.thing;
  for await (const e of ctx.services.log.read({ stream: "ACTIONS", filter: actionStateFilter(actionId) })) {
    return (e.data as { thing?: string }).thing;
  }
  return undefined;
}

builder.subscriptionField("actionProgress", (t) =>
  t.field({
    type: ActionStepRef,
    description:
      "An action's lifecycle steps after its request (queued, delivered, then completed, failed, expired or " +
      "cancelled); ends after a final step or when access is lost. `since` works as for thingEvents: pass the " +
      "request's `seq` to miss nothing.",
    args: { actionId: t.arg.id({ required: true }), since: t.arg({ type: Since }) },
    subscribe: async (_root, args, ctx) => {
      requireCaller(ctx);
      const a = parseArgs(input, { ...args, actionId: String(args.actionId) });
      const thing = await thingOfAction(ctx, a.actionId);
      const may = subscribeCheck(ctx);
      if (thing === undefined || !(await may(thing))) throw new NotFoundError(`no action "${a.actionId}"`);
      const request = { stream: "ACTIONS" as const, filter: actionStateFilter(a.actionId), since: startOf(a.since) };
      return liveEvents(
        ctx.services,
        request,
        async (e) => ((await may(thing)) ? toActionStep(e) : END),
        (step) => isTerminal(step.state),
      );
    },
    resolve: (step: ActionStep) => step,
  }),
);
