import { eq } from "drizzle-orm";
import { ForbiddenError } from "../../../core/errors.ts";
import { accessUsers } from "../../../projections/access/tables.ts";
import { consumeRefreshToken } from "../../auth/refresh-tokens.ts";
import { startSession } from "../../session.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { SessionRef } from "../types/session.ts";

const RefreshResult = resultUnion("RefreshResult", SessionRef, ["Forbidden"]);

builder.mutationField("refresh", (t) =>
  t.field({
    type: RefreshResult,
    description: "Trades a refresh token for a new session; the old refresh token stops working.",
    args: { refreshToken: t.arg.string({ required: true }) },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const user = await consumeRefreshToken(ctx.services.refreshTokens, args.refreshToken.slice(0, 200));
        const [row] = user ? await ctx.services.db.select().from(accessUsers).where(eq(accessUsers.user, user)) : [];
        if (!user || !row) return new ForbiddenError("the refresh token is unknown, expired or revoked; log in again");
        return startSession(ctx.services, user);
      }),
  }),
);
