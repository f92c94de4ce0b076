import type { StoredDeviceSettings } from "../../../core/device-settings.ts";
import { builder } from "../builder.ts";

export const ActionDeliveryEnum = builder.enumType("ActionDelivery", {
  description:
    "How waiting actions go out to a device: ORDERED one at a time (the next after a reply), or ALL at once.",
  values: { ORDERED: { value: "ordered" }, ALL: { value: "all" } } as const,
});

export const DeviceSettingsRef = builder.objectRef<StoredDeviceSettings>("DeviceSettings").implement({
  description: "A device's own settings. A null field means the hub's configured default applies.",
  fields: (t) => ({
    device: t.exposeID("device"),
    actionDelivery: t.field({
      type: ActionDeliveryEnum,
      nullable: true,
      resolve: (s) => s.settings.actionDelivery ?? null,
    }),
    actionTtl: t.int({
      nullable: true,
      description: "Seconds an action requested without a time to live may wait for delivery; 0: no limit.",
      resolve: (s) => (s.settings.actionTtlMs === undefined ? null : Math.round(s.settings.actionTtlMs / 1000)),
    }),
    mergePropertyWrites: t.boolean({
      nullable: true,
      description: "Whether a waiting property write is cancelled by a later write of the same property.",
      resolve: (s) => s.settings.mergePropertyWrites ?? null,
    }),
    seq: t.exposeInt("seq", { description: "PROVISIONING stream sequence of the last change; 0 when never set." }),
  }),
});
