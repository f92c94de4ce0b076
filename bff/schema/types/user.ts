import { builder } from "../builder.ts";

export const User = builder.objectRef<{ id: string; displayName?: string | null; seq: number }>("User").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    displayName: t.exposeString("displayName", { nullable: true }),
    seq: t.exposeInt("seq", { description: "ACCESS stream sequence of the last fact appended." }),
  }),
});
