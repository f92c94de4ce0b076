import { z } from "zod";
import { NotFoundError } from "../../../core/errors.ts";
import { subjects } from "../../../core/subjects.ts";
import { forbidden, requireCaller } from "../../access.ts";
import { hashPassword } from "../../auth/password.ts";
import { existsAfter, lastOnSubject } from "../../read/subject-state.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { User } from "../types/user.ts";
import { parseArgs } from "../validate.ts";
import { newPassword } from "./add-user.ts";

const input = z.object({ user: z.string().min(1).max(256), password: newPassword });
const SetPasswordResult = resultUnion("SetPasswordResult", User, ["ValidationError", "NotFound", "Forbidden"]);

builder.mutationField("setPassword", (t) =>
  t.field({
    type: SetPasswordResult,
    description: "Sets a user's password (one's own, or anyone's for administrators) and revokes their refresh tokens.",
    args: { user: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        const a = parseArgs(input, args);
        if (a.user !== caller.user && !caller.admin) return forbidden("set another user's password");
        const subject = subjects.user(a.user);
        const last = await lastOnSubject(ctx.services.log, "ACCESS", subject);
        if (!existsAfter(last)) return new NotFoundError(`no user "${a.user}"`);
        const changed = await ctx.services.log.append({
          subject,
          type: "spokes.PasswordChanged",
          data: { passwordHash: await hashPassword(a.password) },
          source: `bff/${caller.user}`,
        });
        await ctx.services.refreshTokens.revokeUser(a.user);
        return { id: a.user, seq: changed.seq };
      }),
  }),
);
