import { operationOf } from "../../write/request-action.ts";
import { builder } from "../builder.ts";
import { ActionInvocation } from "./action-invocation.ts";
import { ActionRecord } from "./action-record.ts";

export const ActionOperationEnum = builder.enumType("ActionOperation", {
  description: "The W3C WoT operation an action request stands for.",
  values: { INVOKE_ACTION: { value: "invokeaction" }, WRITE_PROPERTY: { value: "writeproperty" } } as const,
});

builder.objectFields(ActionRecord, (t) => ({
  operation: t.field({
    type: ActionOperationEnum,
    description: "WRITE_PROPERTY for a property write (named `writeproperty:{property}`), else INVOKE_ACTION.",
    resolve: (r) => operationOf(r.name).operation,
  }),
  affordance: t.string({
    description: "The action's or the written property's name in the TD (`name` without the operation prefix).",
    resolve: (r) => operationOf(r.name).affordance,
  }),
}));

builder.objectFields(ActionInvocation, (t) => ({
  operation: t.field({ type: ActionOperationEnum, resolve: (i) => i.operation }),
}));
