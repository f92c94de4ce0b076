import { z } from "zod";
import { changeDeviceSettings } from "../../../core/device-settings.ts";
import { forbidden, requireCaller } from "../../access.ts";
import { builder } from "../builder.ts";
import { attempt, resultUnion } from "../results.ts";
import { ActionDeliveryEnum, DeviceSettingsRef } from "../types/device-settings.ts";
import { parseArgs } from "../validate.ts";

const ChangeDeviceSettingsResult = resultUnion("ChangeDeviceSettingsResult", DeviceSettingsRef, [
  "ValidationError",
  "NotFound",
  "Forbidden",
  "Conflict",
]);

/** Absent: unchanged; null: back to the hub's default. */
const input = z.object({
  device: z.string().min(1).max(256),
  actionDelivery: z.enum(["ordered", "all"]).nullish(),
  actionTtl: z
    .number()
    .int()
    .min(0)
    .max(366 * 24 * 3600)
    .nullish(),
  mergePropertyWrites: z.boolean().nullish(),
});

builder.mutationField("changeDeviceSettings", (t) =>
  t.field({
    type: ChangeDeviceSettingsResult,
    description:
      "Changes how the hub delivers actions to one device (administrators only); bindings apply it to the next " +
      "delivery. An argument left out keeps its value, null returns it to the hub's default.",
    args: {
      device: t.arg.id({ required: true }),
      actionDelivery: t.arg({ type: ActionDeliveryEnum }),
      actionTtl: t.arg.int({ description: "Seconds; 0: actions requested without a time to live never expire." }),
      mergePropertyWrites: t.arg.boolean(),
    },
    resolve: (_root, args, ctx) =>
      attempt(async () => {
        const caller = requireCaller(ctx);
        if (!caller.admin) return forbidden("change device settings");
        const a = parseArgs(input, args);
        const given = (key: string) => Object.hasOwn(args, key);
        return changeDeviceSettings(
          ctx.services.log,
          a.device,
          {
            ...(given("actionDelivery") ? { actionDelivery: a.actionDelivery ?? null } : {}),
            ...(given("actionTtl") ? { actionTtlMs: a.actionTtl == null ? null : a.actionTtl * 1000 } : {}),
            ...(given("mergePropertyWrites") ? { mergePropertyWrites: a.mergePropertyWrites ?? null } : {}),
          },
          caller.user,
          `bff/${caller.user}`,
        );
      }),
  }),
);
