import type { Invocation } from "../../write/request-action.ts";
import { builder } from "../builder.ts";
import { ActionStateEnum } from "./action-state.ts";

export const ActionInvocation = builder.objectRef<Invocation>("ActionInvocation").implement({
  description: "An action request stored in the log, and the state it had reached when the mutation returned.",
  fields: (t) => ({
    actionId: t.exposeID("actionId"),
    thing: t.exposeString("thing"),
    name: t.exposeString("name", { description: "The action's, or for a property write the property's, name." }),
    seq: t.exposeInt("seq", { description: "ACTIONS stream sequence of the request." }),
    state: t.field({ type: ActionStateEnum, resolve: (i) => i.state }),
    output: t.field({ type: "JSON", nullable: true, resolve: (i) => i.output ?? null }),
    error: t.string({ nullable: true, resolve: (i) => i.error ?? null }),
    timedOut: t.exposeBoolean("timedOut", { description: "True when the state waited for was not reached in time." }),
  }),
});
