import { builder } from "../builder.ts";

export const Group = builder.objectRef<{ id: string; title?: string | null; seq: number }>("Group").implement({
  fields: (t) => ({
    id: t.exposeID("id"),
    title: t.exposeString("title", { nullable: true }),
    seq: t.exposeInt("seq", { description: "ACCESS stream sequence of the last fact appended." }),
  }),
});
