import { eq } from "drizzle-orm";
import { z } from "zod";
import { NotFoundError } from "../../../core/errors.ts";
import { subjects } from "../../../core/subjects.ts";
import { directoryThings } from "../../../projections/directory/tables.ts";
import { checkThing, requireCaller } from "../../access.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { ActionInvocation } from "../types/action-invocation.ts";
import { parseArgs } from "../validate.ts";

const input = z.object({
  thing: z.string().min(1).max(256),
  name: z.string().min(1).max(128),
  input: z.json().optional(),
  ttl: z
    .number()
    .int()
    .positive()
    .max(366 * 24 * 3600)
    .nullish(),
});
const InvokeActionResult = resultUnion("InvokeActionResult", ActionInvocation, [
  "ValidationError",
  "NotFound",
  "Forbidden",
]);

builder.mutationField("invokeAction", (t) =>
  t.field({
    type: InvokeActionResult,
    description: "Requests an action of a Thing (operators and above). Returns once the request is in the log.",
    args: {
      thing: t.arg.id({ required: true }),
      name: t.arg.string({ required: true }),
      input: t.arg({ type: "JSON" }),
      ttl: t.arg.int({ description: "Seconds the request may wait for delivery before it expires." }),
    },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        const a = parseArgs(input, { ...args, thing: String(args.thing), input: args.input ?? undefined });
        const denied = await checkThing(ctx, caller, "invoke", a.thing);
        if (denied) return denied;
        const [row] = await ctx.services.db
          .select({ td: directoryThings.td })
          .from(directoryThings)
          .where(eq(directoryThings.thing, a.thing));
        const actions = (row?.td as { actions?: Record<string, unknown> } | undefined)?.actions ?? {};
        if (!Object.hasOwn(actions, a.name)) return new NotFoundError(`"${a.thing}" has no action "${a.name}"`);
        const actionId = crypto.randomUUID();
        const appended = await ctx.services.log.append({
          subject: subjects.actionRequest(a.thing, a.name),
          type: "spokes.ActionRequested",
          data: {
            actionId,
            ...(a.input === undefined ? {} : { input: a.input }),
            ...(a.ttl ? { ttlMs: a.ttl * 1000 } : {}),
            requestedBy: caller.user,
          },
          source: `bff/${caller.user}`,
        });
        return { actionId, thing: a.thing, name: a.name, seq: appended.seq };
      }),
  }),
);
