import { builder } from "../builder.ts";

export const LoggedOut = builder.objectRef<{ revoked: boolean }>("LoggedOut").implement({
  fields: (t) => ({
    revoked: t.exposeBoolean("revoked", { description: "False when the token was unknown already." }),
  }),
});
