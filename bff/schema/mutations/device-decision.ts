/** The shape every administrator's decision on a device shares: device id and reason in, its new status out. */
import { z } from "zod";
import { type AdminDecision, createProvisioningFlow } from "../../../core/provisioning-flow.ts";
import { forbidden, requireCaller } from "../../access.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { DeviceProvisioningRef } from "../types/device-provisioning.ts";
import { parseArgs } from "../validate.ts";

const input = z.object({ device: z.string().min(1).max(256), reason: z.string().max(500).nullish() });

export function deviceDecisionMutation(field: string, kind: AdminDecision, description: string) {
  const result = resultUnion(`${field[0]?.toUpperCase()}${field.slice(1)}Result`, DeviceProvisioningRef, [
    "ValidationError",
    "NotFound",
    "Forbidden",
    "Conflict",
  ]);
  builder.mutationField(field, (t) =>
    t.field({
      type: result,
      description: `${description} (administrators only). Conflict when the device's status does not allow it.`,
      args: { device: t.arg.id({ required: true }), reason: t.arg.string() },
      resolve: (_root, args, ctx) =>
        attempt(async () => {
          const caller = requireCaller(ctx);
          if (!caller.admin) return forbidden(`${kind} devices`);
          const a = parseArgs(input, args);
          const flow = createProvisioningFlow({ log: ctx.services.log });
          return flow.decide(kind, a.device, caller.user, a.reason ?? undefined, `bff/${caller.user}`);
        }),
    }),
  );
}
