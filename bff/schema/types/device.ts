import type { provisioningDevices } from "../../../projections/provisioning/tables.ts";
import { builder } from "../builder.ts";
import { DeviceStatusEnum } from "./device-status.ts";

export type DeviceRow = typeof provisioningDevices.$inferSelect;

export const DeviceRef = builder.objectRef<DeviceRow>("Device").implement({
  description: "A device as the provisioning read model lists it (hashes and secrets never leave the hub).",
  fields: (t) => ({
    id: t.exposeID("device"),
    status: t.field({ type: DeviceStatusEnum, resolve: (d) => d.status as never }),
    publicKey: t.exposeString("publicKey", { nullable: true, description: "SPKI public key (PEM) it sent." }),
    preapprovedWithSecret: t.boolean({
      description: "Whether its pre-approval asked for an out-of-band secret.",
      resolve: (d) => d.secretHash !== null,
    }),
    updatedAt: t.field({ type: "DateTime", resolve: (d) => d.updatedAt }),
    seq: t.exposeInt("seq", { description: "PROVISIONING stream sequence of its last decision." }),
  }),
});
