import { owningDevice, presenceOfDevice } from "../../read/thing-details.ts";
import { builder } from "../builder.ts";
import { DevicePresence } from "./device-presence.ts";
import { Thing } from "./thing.ts";

builder.objectFields(Thing, (t) => ({
  device: t.string({
    nullable: true,
    description: "The device that owns the Thing (published its TD); null for Things the hub describes itself.",
    resolve: (r) => owningDevice(r.source) ?? null,
  }),
  presence: t.field({
    type: DevicePresence,
    nullable: true,
    description: "The owning device's presence; null without an owning device or before it reported any.",
    resolve: async (r, _a, ctx) => {
      const device = owningDevice(r.source);
      return device === undefined ? null : ((await presenceOfDevice(ctx, device)) ?? null);
    },
  }),
}));
