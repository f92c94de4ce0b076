import { operationOf } from "../../write/request-action.ts";
import { builder } from "../builder.ts";
import { ActionInvocation } from "./action-invocation.ts";
import { ActionRecord } from "./action-record.ts";

export const ActionOperationEnum = builder.enumType("ActionOperation", {
  description: "The W3C WoT operation an action request stands for.",
  values: {
    INVOKE_ACTION: { value: "invokeaction" },
    WRITE_PROPERTY: { value: "writeproperty" },
    READ_PROPERTY: {
      value: "readproperty",
      description: "A device asked to report a property's current value (named `readproperty:{property}`).",
    },
  } as const,
});

builder.objectFields(ActionRecord, (t) => ({
  operation: t.field({
    type: ActionOperationEnum,
    description:
      "WRITE_PROPERTY for a property write (named `writeproperty:{property}`), READ_PROPERTY for a request to report a property (`readproperty:{property}`), else INVOKE_ACTION.",
    resolve: (r) => operationOf(r.name).operation,
  }),
  affordance: t.string({
    description: "The action's or the written or read property's name in the TD (`name` without the operation prefix).",
    resolve: (r) => operationOf(r.name).affordance,
  }),
}));

builder.objectFields(ActionInvocation, (t) => ({
  operation: t.field({ type: ActionOperationEnum, resolve: (i) => i.operation }),
}));
