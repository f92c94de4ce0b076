import { eq } from "drizzle-orm";
import { z } from "zod";
import { NotFoundError } from "../../../core/errors.ts";
import { directoryThings } from "../../../projections/directory/tables.ts";
import { requireCaller } from "../../access.ts";
import type { Context } from "../../context.ts";
import { devicePresence, devicePresenceCheck } from "../../live/device-presence.ts";
import { subscribeCheck } from "../../live/visibility.ts";
import { owningDevice } from "../../read/thing-details.ts";
import { builder } from "../builder.ts";
import { DevicePresence } from "../types/device-presence.ts";
import { Since, sinceInput, startOf } from "../types/since.ts";
import { parseArgs } from "../validate.ts";

const id = z.string().min(1).max(256);
const input = z
  .object({ device: id.nullish(), thing: id.nullish(), since: sinceInput })
  .refine((a) => a.device == null || a.thing == null, { message: "give at most one of device and thing" });

/** The device that owns a Thing the caller may see; NotFoundError otherwise (or when no device owns it). */
async function deviceOfThing(ctx: Context, thing: string, may: (thing: string) => Promise<boolean>) {
  if (!(await may(thing))) throw new NotFoundError(`no Thing "${thing}"`);
  const [row] = await ctx.services.db
    .select({ source: directoryThings.source })
    .from(directoryThings)
    .where(eq(directoryThings.thing, thing));
  const device = row && owningDevice(row.source);
  if (device === undefined) throw new NotFoundError(`no device owns "${thing}"`);
  return device;
}

builder.subscriptionField("devicePresence", (t) =>
  t.field({
    type: DevicePresence,
    description:
      "Presence changes (connected, disconnected, asleep) of one device, of the device that owns `thing`, or of " +
      "every device the caller may see: a device is visible with any Thing it owns. Access is re-checked every " +
      "few seconds; following one device or Thing ends when access is lost. `since` works as for thingEvents.",
    args: { device: t.arg.id(), thing: t.arg.id(), since: t.arg({ type: Since }) },
    subscribe: async (_root, args, ctx) => {
      requireCaller(ctx);
      const a = parseArgs(input, {
        ...args,
        device: args.device == null ? null : String(args.device),
        thing: args.thing == null ? null : String(args.thing),
      });
      const mayDevice = devicePresenceCheck(ctx);
      let device = a.device ?? undefined;
      let visible = mayDevice;
      if (a.thing) {
        const thing = a.thing;
        const mayThing = subscribeCheck(ctx);
        device = await deviceOfThing(ctx, thing, mayThing);
        visible = () => mayThing(thing);
      } else if (device !== undefined && !(await mayDevice(device))) {
        throw new NotFoundError(`no device "${device}"`);
      }
      return devicePresence(ctx.services, { device, since: startOf(a.since), visible });
    },
    resolve: (p) => p,
  }),
);
