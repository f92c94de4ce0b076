import { z } from "zod";
import { ForbiddenError, NotFoundError } from "../../../core/errors.ts";
import { subjects } from "../../../core/subjects.ts";
import { administersGroup, requireCaller } from "../../access.ts";
import { ADMIN_GROUP } from "../../context.ts";
import { groupState } from "../../read/subject-state.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { GroupChange } from "../types/membership-change.ts";
import { parseArgs } from "../validate.ts";

const input = z.object({ group: z.string().min(1).max(256), user: z.string().min(1).max(256) });
const RemoveMemberResult = resultUnion("RemoveMemberResult", GroupChange, [
  "ValidationError",
  "NotFound",
  "Forbidden",
  "Conflict",
]);

builder.mutationField("removeMember", (t) =>
  t.field({
    type: RemoveMemberResult,
    description: "Removes a user from a group (hub or group administrators).",
    args: { group: t.arg.string({ required: true }), user: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        const a = parseArgs(input, args);
        if (!administersGroup(caller, a.group)) return new ForbiddenError(`you do not administer "${a.group}"`);
        if (a.group === ADMIN_GROUP && a.user === caller.user) {
          return new ForbiddenError("you may not give up being an administrator yourself; ask another one");
        }
        const subject = subjects.group(a.group);
        const group = await groupState(ctx.services.log, subject);
        if (!group.exists) return new NotFoundError(`no group "${a.group}"`);
        if (!group.members.has(a.user)) return new NotFoundError(`"${a.user}" is not a member of "${a.group}"`);
        // Appended only if the group did not change since we read it: else Conflict.
        const removed = await ctx.services.log.append({
          subject,
          type: "spokes.MemberRemoved",
          data: { user: a.user },
          source: `bff/${caller.user}`,
          expectedLastSubjectSeq: group.seq,
        });
        return { group: a.group, user: a.user, seq: removed.seq };
      }),
  }),
);
