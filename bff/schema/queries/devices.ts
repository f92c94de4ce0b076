import { asc, eq } from "drizzle-orm";
import { provisioningDevices } from "../../../projections/provisioning/tables.ts";
import { forbidden, requireCaller } from "../../access.ts";
import type { Context } from "../../context.ts";
import { builder } from "../builder.ts";
import { DeviceRef } from "../types/device.ts";
import { DeviceStatusEnum } from "../types/device-status.ts";

/** Device administration is for hub administrators; others get a FORBIDDEN error. */
export function requireAdmin(ctx: Context, what: string) {
  const caller = requireCaller(ctx);
  if (!caller.admin) throw forbidden(what);
  return caller;
}

builder.queryField("devices", (t) =>
  t.field({
    type: [DeviceRef],
    description: "Devices with their provisioning status, by id (administrators only).",
    args: { status: t.arg({ type: DeviceStatusEnum, required: false }) },
    resolve: (_root, args, ctx) => {
      requireAdmin(ctx, "list devices");
      const q = ctx.services.db.select().from(provisioningDevices);
      const filtered = args.status ? q.where(eq(provisioningDevices.status, args.status)) : q;
      return filtered.orderBy(asc(provisioningDevices.device));
    },
  }),
);
