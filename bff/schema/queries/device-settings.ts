import { z } from "zod";
import { readDeviceSettings } from "../../../core/device-settings.ts";
import { builder } from "../builder.ts";
import { DeviceSettingsRef } from "../types/device-settings.ts";
import { parseArgs } from "../validate.ts";
import { requireAdmin } from "./devices.ts";

builder.queryField("deviceSettings", (t) =>
  t.field({
    type: DeviceSettingsRef,
    description: "One device's own settings, read from the log (administrators only).",
    args: { device: t.arg.id({ required: true }) },
    resolve: (_root, args, ctx) => {
      requireAdmin(ctx, "read a device's settings");
      const { device } = parseArgs(z.object({ device: z.string().min(1).max(256) }), args);
      return readDeviceSettings(ctx.services.log, device);
    },
  }),
);
