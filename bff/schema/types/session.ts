import type { Session } from "../../session.ts";
import { builder } from "../builder.ts";

export const SessionRef = builder.objectRef<Session>("Session").implement({
  description:
    "Send `accessToken` as `Authorization: Bearer …`; before it expires, trade `refreshToken` for a new session.",
  fields: (t) => ({
    user: t.exposeString("user"),
    accessToken: t.exposeString("accessToken"),
    accessTokenExpiresAt: t.field({ type: "DateTime", resolve: (s) => s.accessTokenExpiresAt }),
    refreshToken: t.exposeString("refreshToken", { description: "Shown once; used once (each refresh rotates it)." }),
    refreshTokenExpiresAt: t.field({ type: "DateTime", resolve: (s) => s.refreshTokenExpiresAt }),
  }),
});
