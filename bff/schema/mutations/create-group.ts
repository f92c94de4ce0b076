import { z } from "zod";
import { ConflictError } from "../../../core/errors.ts";
import { subjects } from "../../../core/subjects.ts";
import { forbidden, requireCaller } from "../../access.ts";
import { existsAfter, lastOnSubject } from "../../read/subject-state.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { Group } from "../types/group.ts";
import { parseArgs } from "../validate.ts";

const input = z.object({ group: z.string().min(1).max(256), title: z.string().max(200).nullish() });
const CreateGroupResult = resultUnion("CreateGroupResult", Group, ["ValidationError", "Forbidden", "Conflict"]);

builder.mutationField("createGroup", (t) =>
  t.field({
    type: CreateGroupResult,
    description: "Creates a group (administrators only).",
    args: { group: t.arg.string({ required: true }), title: t.arg.string() },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        if (!caller.admin) return forbidden("create groups");
        const a = parseArgs(input, args);
        const subject = subjects.group(a.group);
        const last = await lastOnSubject(ctx.services.log, "ACCESS", subject);
        if (existsAfter(last)) return new ConflictError(subject, last?.seq ?? 0);
        const created = await ctx.services.log.append({
          subject,
          type: "spokes.GroupCreated",
          data: a.title ? { title: a.title } : {},
          source: `bff/${caller.user}`,
          expectedLastSubjectSeq: last?.seq ?? 0,
        });
        return { id: a.group, title: a.title ?? null, seq: created.seq };
      }),
  }),
);
