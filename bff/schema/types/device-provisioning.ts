import type { DeviceState } from "../../../core/provisioning.ts";
import { builder } from "../builder.ts";
import { DeviceStatusEnum } from "./device-status.ts";

export const DeviceProvisioningRef = builder.objectRef<DeviceState>("DeviceProvisioning").implement({
  description: "A device's provisioning status as the log says it now (no read-model lag).",
  fields: (t) => ({
    device: t.exposeID("device"),
    status: t.field({ type: DeviceStatusEnum, resolve: (s) => s.status }),
    seq: t.exposeInt("seq", { description: "PROVISIONING stream sequence of its last decision (0: none)." }),
    updatedAt: t.field({ type: "DateTime", nullable: true, resolve: (s) => s.updatedAt ?? null }),
    preapproved: t.boolean({
      description: "Whether a pre-approval waits for its request.",
      resolve: (s) => !!s.preapproval,
    }),
    requestedAt: t.field({ type: "DateTime", nullable: true, resolve: (s) => s.request?.at ?? null }),
    requestSecret: t.string({
      nullable: true,
      description: "How the request's out-of-band secret compared: matched, wrong, or null when it sent none.",
      resolve: (s) => s.request?.secretCheck ?? null,
    }),
    publicKey: t.string({ nullable: true, resolve: (s) => s.request?.publicKey ?? null }),
    decidedBy: t.string({ nullable: true, resolve: (s) => s.decidedBy ?? null }),
    reason: t.string({ nullable: true, resolve: (s) => s.reason ?? null }),
    credentialsIssuedAt: t.field({ type: "DateTime", nullable: true, resolve: (s) => s.credentials?.at ?? null }),
    certificate: t.string({
      nullable: true,
      description: "Its client certificate (PEM).",
      resolve: (s) => s.credentials?.certificate ?? null,
    }),
    wrongSecrets: t.exposeInt("wrongSecrets", { description: "Wrong out-of-band secrets since the last right one." }),
    lockedUntil: t.field({
      type: "DateTime",
      nullable: true,
      description: "Until when further out-of-band secrets are refused.",
      resolve: (s) => s.lockedUntil ?? null,
    }),
  }),
});
