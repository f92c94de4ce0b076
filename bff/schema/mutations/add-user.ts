import { z } from "zod";
import { ConflictError } from "../../../core/errors.ts";
import { subjects } from "../../../core/subjects.ts";
import { forbidden, requireCaller } from "../../access.ts";
import { hashPassword } from "../../auth/password.ts";
import { existsAfter, lastOnSubject } from "../../read/subject-state.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { User } from "../types/user.ts";
import { parseArgs } from "../validate.ts";

export const newPassword = z.string().min(8, "at least 8 characters").max(1024);
const input = z.object({
  user: z.string().min(1).max(256),
  password: newPassword,
  displayName: z.string().max(200).nullish(),
});

const AddUserResult = resultUnion("AddUserResult", User, ["ValidationError", "Forbidden", "Conflict"]);

builder.mutationField("addUser", (t) =>
  t.field({
    type: AddUserResult,
    description: "Adds a user with a password (administrators only).",
    args: {
      user: t.arg.string({ required: true }),
      password: t.arg.string({ required: true }),
      displayName: t.arg.string(),
    },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        if (!caller.admin) return forbidden("add users");
        const a = parseArgs(input, args);
        const subject = subjects.user(a.user);
        const last = await lastOnSubject(ctx.services.log, "ACCESS", subject);
        if (existsAfter(last)) return new ConflictError(subject, last?.seq ?? 0);
        const source = `bff/${caller.user}`;
        const added = await ctx.services.log.append({
          subject,
          type: "spokes.UserAdded",
          data: a.displayName ? { displayName: a.displayName } : {},
          source,
          expectedLastSubjectSeq: last?.seq ?? 0,
        });
        const passwordHash = await hashPassword(a.password);
        const changed = await ctx.services.log.append({
          subject,
          type: "spokes.PasswordChanged",
          data: { passwordHash },
          source,
          expectedLastSubjectSeq: added.seq,
        });
        return { id: a.user, displayName: a.displayName ?? null, seq: changed.seq };
      }),
  }),
);
