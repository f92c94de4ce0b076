import { createProvisioningFlow } from "../../../core/provisioning-flow.ts";
import { forbidden, requireCaller } from "../../access.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { DeviceProvisioningRef } from "../types/device-provisioning.ts";

const PreapproveDeviceResult = resultUnion("PreapproveDeviceResult", DeviceProvisioningRef, [
  "ValidationError",
  "Forbidden",
  "Conflict",
]);

builder.mutationField("preapproveDevice", (t) =>
  t.field({
    type: PreapproveDeviceResult,
    description:
      "Pre-approves a device (administrators only): its request is approved at once when it matches every " +
      "condition given — the out-of-band secret (stored as an argon2id hash), the MAC address, the public key. " +
      "With none, the first request naming the device is approved.",
    args: {
      device: t.arg.id({ required: true }),
      secret: t.arg.string(),
      mac: t.arg.string(),
      publicKey: t.arg.string(),
    },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        if (!caller.admin) return forbidden("pre-approve devices");
        const flow = createProvisioningFlow({ log: ctx.services.log });
        const input = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null && v !== undefined));
        return flow.preapprove(input, caller.user, `bff/${caller.user}`);
      }),
  }),
);
