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
  input: json.optional(),
  ...requestOptions,
});
const InvokeActionResult = resultUnion("InvokeActionResult", ActionInvocation, [
  "ValidationError",
  "NotFound",
  "Forbidden",
]);

builder.mutationField("invokeAction", (t) =>
  t.field({
    type: InvokeActionResult,
    description:
      "Requests an action of a Thing (operators and above); the input must meet the action's input schema. " +
      "Returns once the request is in the log, or later as `waitFor` says.",
    args: {
      thing: t.arg.id({ required: true }),
      name: t.arg.string({ required: true }),
      input: t.arg({ type: "JSON" }),
      ttl: t.arg.int({ description: TTL_DESCRIPTION }),
      waitFor: t.arg({ type: WaitForEnum, defaultValue: "stored" }),
      timeout: t.arg.int({ description: TIMEOUT_DESCRIPTION }),
    },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        const a = parseArgs(input, { ...args, thing: String(args.thing), input: args.input ?? undefined });
        return requestAction(ctx, caller, {
          thing: a.thing,
          name: a.name,
          operation: "invokeaction",
          value: a.input,
          ttlSeconds: a.ttl,
          ...waiting(a),
        });
      }),
  }),
);
