import { z } from "zod";
import { ForbiddenError, NotFoundError } from "../../../core/errors.ts";
import { subjects } from "../../../core/subjects.ts";
import { administersGroup, requireCaller } from "../../access.ts";
import { existsAfter, lastOnSubject } from "../../read/subject-state.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { GroupChange } from "../types/membership-change.ts";
import { RoleEnum } from "../types/role.ts";
import { parseArgs } from "../validate.ts";

const input = z.object({
  group: z.string().min(1).max(256),
  user: z.string().min(1).max(256),
  role: z.enum(["viewer", "operator", "manager", "admin"]),
});
const AddMemberResult = resultUnion("AddMemberResult", GroupChange, [
  "ValidationError",
  "NotFound",
  "Forbidden",
  "Conflict",
]);

builder.mutationField("addMember", (t) =>
  t.field({
    type: AddMemberResult,
    description: "Adds a user to a group with a role, or changes their role (hub or group administrators).",
    args: {
      group: t.arg.string({ required: true }),
      user: t.arg.string({ required: true }),
      role: t.arg({ type: RoleEnum, required: true }),
    },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        const a = parseArgs(input, args);
        if (!administersGroup(caller, a.group)) return new ForbiddenError(`you do not administer "${a.group}"`);
        const { log } = ctx.services;
        const subject = subjects.group(a.group);
        const group = await lastOnSubject(log, "ACCESS", subject);
        if (!existsAfter(group)) return new NotFoundError(`no group "${a.group}"`);
        if (!existsAfter(await lastOnSubject(log, "ACCESS", subjects.user(a.user)))) {
          return new NotFoundError(`no user "${a.user}"`);
        }
        // Appended only if the group did not change since we read it (e.g. deleted meanwhile): else Conflict.
        const added = await log.append({
          subject,
          type: "spokes.MemberAdded",
          data: { user: a.user, role: a.role },
          source: `bff/${caller.user}`,
          expectedLastSubjectSeq: group?.seq,
        });
        return { group: a.group, user: a.user, role: a.role, seq: added.seq };
      }),
  }),
);
