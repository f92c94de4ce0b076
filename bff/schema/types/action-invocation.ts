import { builder } from "../builder.ts";

export const ActionInvocation = builder
  .objectRef<{ actionId: string; thing: string; name: string; seq: number }>("ActionInvocation")
  .implement({
    description: "An action request stored in the log; follow it with its id.",
    fields: (t) => ({
      actionId: t.exposeID("actionId"),
      thing: t.exposeString("thing"),
      name: t.exposeString("name"),
      seq: t.exposeInt("seq", { description: "ACTIONS stream sequence of the request." }),
    }),
  });
