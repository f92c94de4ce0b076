import { z } from "zod";
import { readDevice } from "../../../core/provisioning-flow.ts";
import { builder } from "../builder.ts";
import { DeviceProvisioningRef } from "../types/device-provisioning.ts";
import { parseArgs } from "../validate.ts";
import { requireAdmin } from "./devices.ts";

builder.queryField("deviceProvisioning", (t) =>
  t.field({
    type: DeviceProvisioningRef,
    description: "One device's provisioning status, read from the log (administrators only).",
    args: { device: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => {
      requireAdmin(ctx, "read a device's provisioning");
      const { device } = parseArgs(z.object({ device: z.string().min(1).max(256) }), args);
      return readDevice(ctx.services.log, device);
    },
  }),
);
