import { refreshTokenHash } from "../../auth/refresh-tokens.ts";
import { builder } from "../builder.ts";
import { LoggedOut } from "../types/logged-out.ts";

builder.mutationField("logout", (t) =>
  t.field({
    type: LoggedOut,
    description:
      "Revokes the refresh token; with `everywhere`, every refresh token of its user. Access tokens run out.",
    args: { refreshToken: t.arg.string({ required: true }), everywhere: t.arg.boolean({ defaultValue: false }) },
    resolve: async (_root, args, ctx) => {
      const store = ctx.services.refreshTokens;
      const hash = await refreshTokenHash(args.refreshToken.slice(0, 200));
      const record = await store.get(hash);
      const revoked = await store.revoke(hash);
      if (record && args.everywhere) await store.revokeUser(record.user);
      return { revoked };
    },
  }),
);
