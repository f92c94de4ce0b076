import { builder } from "../builder.ts";

export const GroupChange = builder
  .objectRef<{ group: string; user?: string; thing?: string; role?: string; seq: number }>("GroupChange")
  .implement({
    description: "A change to a group's members or Things, as appended to the log.",
    fields: (t) => ({
      group: t.exposeString("group"),
      user: t.exposeString("user", { nullable: true }),
      role: t.exposeString("role", { nullable: true }),
      thing: t.exposeString("thing", { nullable: true }),
      seq: t.exposeInt("seq", { description: "ACCESS stream sequence of the fact." }),
    }),
  });
