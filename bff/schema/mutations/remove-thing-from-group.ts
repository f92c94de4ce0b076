import { z } from "zod";
import { NotFoundError } from "../../../core/errors.ts";
import { subjects } from "../../../core/subjects.ts";
import { forbidden, requireCaller } from "../../access.ts";
import { groupState } from "../../read/subject-state.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { GroupChange } from "../types/membership-change.ts";
import { parseArgs } from "../validate.ts";

const input = z.object({ group: z.string().min(1).max(256), thing: z.string().min(1).max(256) });
const RemoveThingResult = resultUnion("RemoveThingFromGroupResult", GroupChange, [
  "ValidationError",
  "NotFound",
  "Forbidden",
  "Conflict",
]);

builder.mutationField("removeThingFromGroup", (t) =>
  t.field({
    type: RemoveThingResult,
    description:
      "Takes a Thing out of a group, so its members no longer see it through that group (hub administrators only).",
    args: { group: t.arg.string({ required: true }), thing: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        if (!caller.admin) return forbidden("take Things out of groups");
        const a = parseArgs(input, args);
        const subject = subjects.group(a.group);
        const group = await groupState(ctx.services.log, subject);
        if (!group.exists) return new NotFoundError(`no group "${a.group}"`);
        if (!group.things.has(a.thing)) return new NotFoundError(`"${a.thing}" is not in "${a.group}"`);
        const removed = await ctx.services.log.append({
          subject,
          type: "spokes.ThingRemovedFromGroup",
          data: { thing: a.thing },
          source: `bff/${caller.user}`,
          expectedLastSubjectSeq: group.seq,
        });
        return { group: a.group, thing: a.thing, seq: removed.seq };
      }),
  }),
);
