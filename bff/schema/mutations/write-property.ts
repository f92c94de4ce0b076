import { z } from "zod";
import { json } from "../../../core/messages.ts";
import { requireCaller } from "../../access.ts";
import { requestAction } from "../../write/request-action.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { ActionInvocation } from "../types/action-invocation.ts";
import { WaitForEnum } from "../types/action-state.ts";
import { parseArgs } from "../validate.ts";
import { requestOptions, TIMEOUT_DESCRIPTION, TTL_DESCRIPTION, waiting } from "./action-args.ts";

const input = z.object({
  thing: z.string().min(1).max(256),
  name: z.string().min(1).max(128),
  value: json,
  ...requestOptions,
});
const WritePropertyResult = resultUnion("WritePropertyResult", ActionInvocation, [
  "ValidationError",
  "NotFound",
  "Forbidden",
]);

builder.mutationField("writeProperty", (t) =>
  t.field({
    type: WritePropertyResult,
    description:
      "Requests that a Thing set a property (managers and above); the value must meet the property's schema and " +
      "the property must not be read-only. A property write is an action request and is followed like one.",
    args: {
      thing: t.arg.id({ required: true }),
      name: t.arg.string({ required: true }),
      value: t.arg({ type: "JSON", required: true }),
      ttl: t.arg.int({ description: TTL_DESCRIPTION }),
      waitFor: t.arg({ type: WaitForEnum, defaultValue: "stored" }),
      timeout: t.arg.int({ description: TIMEOUT_DESCRIPTION }),
    },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        const a = parseArgs(input, { ...args, thing: String(args.thing) });
        return requestAction(ctx, caller, {
          thing: a.thing,
          name: a.name,
          operation: "writeproperty",
          value: a.value,
          ttlSeconds: a.ttl,
          ...waiting(a),
        });
      }),
  }),
);
