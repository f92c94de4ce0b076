import { z } from "zod";
import { ForbiddenError, NotFoundError } from "../../../core/errors.ts";
import { subjects } from "../../../core/subjects.ts";
import { forbidden, requireCaller } from "../../access.ts";
import { existsAfter, lastOnSubject } from "../../read/subject-state.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { User } from "../types/user.ts";
import { parseArgs } from "../validate.ts";

const input = z.object({ user: z.string().min(1).max(256) });
const RemoveUserResult = resultUnion("RemoveUserResult", User, [
  "ValidationError",
  "NotFound",
  "Forbidden",
  "Conflict",
]);

builder.mutationField("removeUser", (t) =>
  t.field({
    type: RemoveUserResult,
    description:
      "Removes a user (administrators only, not themselves): their memberships go with them, their refresh " +
      "tokens are revoked, and their access tokens stop working.",
    args: { user: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        if (!caller.admin) return forbidden("remove users");
        const a = parseArgs(input, args);
        if (a.user === caller.user) return new ForbiddenError("you may not remove yourself");
        const subject = subjects.user(a.user);
        const last = await lastOnSubject(ctx.services.log, "ACCESS", subject);
        if (!existsAfter(last)) return new NotFoundError(`no user "${a.user}"`);
        const removed = await ctx.services.log.append({
          subject,
          type: "spokes.UserRemoved",
          data: {},
          source: `bff/${caller.user}`,
          expectedLastSubjectSeq: last?.seq,
        });
        await ctx.services.refreshTokens.revokeUser(a.user);
        return { id: a.user, seq: removed.seq };
      }),
  }),
);
