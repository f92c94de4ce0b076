import { z } from "zod";
import { ForbiddenError, NotFoundError } from "../../../core/errors.ts";
import { subjects } from "../../../core/subjects.ts";
import { forbidden, requireCaller } from "../../access.ts";
import { ADMIN_GROUP } from "../../context.ts";
import { existsAfter, lastOnSubject } from "../../read/subject-state.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { Group } from "../types/group.ts";
import { parseArgs } from "../validate.ts";

const input = z.object({ group: z.string().min(1).max(256) });
const DeleteGroupResult = resultUnion("DeleteGroupResult", Group, [
  "ValidationError",
  "NotFound",
  "Forbidden",
  "Conflict",
]);

builder.mutationField("deleteGroup", (t) =>
  t.field({
    type: DeleteGroupResult,
    description: `Deletes a group with its memberships and Things list (administrators only; never "${ADMIN_GROUP}").`,
    args: { group: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        if (!caller.admin) return forbidden("delete groups");
        const a = parseArgs(input, args);
        if (a.group === ADMIN_GROUP) return new ForbiddenError(`"${ADMIN_GROUP}" holds the hub's administrators`);
        const subject = subjects.group(a.group);
        const last = await lastOnSubject(ctx.services.log, "ACCESS", subject);
        if (!existsAfter(last)) return new NotFoundError(`no group "${a.group}"`);
        const deleted = await ctx.services.log.append({
          subject,
          type: "spokes.GroupDeleted",
          data: {},
          source: `bff/${caller.user}`,
          expectedLastSubjectSeq: last?.seq,
        });
        return { id: a.group, seq: deleted.seq };
      }),
  }),
);
