import { z } from "zod";
import { NotFoundError } from "../../../core/errors.ts";
import { subjects } from "../../../core/subjects.ts";
import { forbidden, requireCaller } from "../../access.ts";
import { existsAfter, lastOnSubject } from "../../read/subject-state.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { GroupChange } from "../types/membership-change.ts";
import { parseArgs } from "../validate.ts";

const input = z.object({ group: z.string().min(1).max(256), thing: z.string().min(1).max(256) });
const AddThingResult = resultUnion("AddThingToGroupResult", GroupChange, [
  "ValidationError",
  "NotFound",
  "Forbidden",
  "Conflict",
]);

builder.mutationField("addThingToGroup", (t) =>
  t.field({
    type: AddThingResult,
    description:
      "Puts a Thing in a group, so the group's members may see and use it (hub administrators only: a group " +
      "administrator could otherwise claim any Thing). The Thing need not be described yet.",
    args: { group: t.arg.string({ required: true }), thing: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        if (!caller.admin) return forbidden("put Things in groups");
        const a = parseArgs(input, args);
        const subject = subjects.group(a.group);
        const group = await lastOnSubject(ctx.services.log, "ACCESS", subject);
        if (!existsAfter(group)) return new NotFoundError(`no group "${a.group}"`);
        const added = await ctx.services.log.append({
          subject,
          type: "spokes.ThingAddedToGroup",
          data: { thing: a.thing },
          source: `bff/${caller.user}`,
          expectedLastSubjectSeq: group?.seq,
        });
        return { group: a.group, thing: a.thing, seq: added.seq };
      }),
  }),
);
