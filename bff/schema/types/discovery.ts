import type { Services } from "../../context.ts";
import { builder } from "../builder.ts";

export type DiscoveryValue = { available: boolean; enabled: boolean };

export const discoveryOf = (services: Services): DiscoveryValue => ({
  available: services.discovery !== undefined,
  enabled: services.discovery?.enabled ?? false,
});

export const DiscoveryRef = builder.objectRef<DiscoveryValue>("Discovery").implement({
  description: "The hub's DNS-SD (mDNS) announcement of its endpoints.",
  fields: (t) => ({
    available: t.exposeBoolean("available", { description: "Whether this hub process can announce itself." }),
    enabled: t.exposeBoolean("enabled", { description: "Whether it announces itself now." }),
  }),
});
