import { eq } from "drizzle-orm";
import { z } from "zod";
import { ForbiddenError } from "../../../core/errors.ts";
import { accessUsers } from "../../../projections/access/tables.ts";
import { verifyPassword } from "../../auth/password.ts";
import { startSession } from "../../session.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { SessionRef } from "../types/session.ts";
import { parseArgs } from "../validate.ts";

const LoginResult = resultUnion("LoginResult", SessionRef, ["ValidationError", "Forbidden"]);
const input = z.object({ user: z.string().min(1).max(256), password: z.string().min(1).max(1024) });

builder.mutationField("login", (t) =>
  t.field({
    type: LoginResult,
    description: "Trades a user name and password for a session. A wrong name and a wrong password look the same.",
    args: { user: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const a = parseArgs(input, args);
        const [row] = await ctx.services.db
          .select({ hash: accessUsers.passwordHash })
          .from(accessUsers)
          .where(eq(accessUsers.user, a.user));
        if (!(await verifyPassword(a.password, row?.hash))) {
          return new ForbiddenError("wrong user name or password");
        }
        return startSession(ctx.services, a.user);
      }),
  }),
);
