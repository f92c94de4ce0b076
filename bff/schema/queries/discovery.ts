import { builder } from "../builder.ts";
import { DiscoveryRef, discoveryOf } from "../types/discovery.ts";
import { requireAdmin } from "./devices.ts";

builder.queryField("discovery", (t) =>
  t.field({
    type: DiscoveryRef,
    description: "Whether the hub announces itself over DNS-SD (administrators only).",
    resolve: (_root, _a, ctx) => {
      requireAdmin(ctx, "read the discovery setting");
      return discoveryOf(ctx.services);
    },
  }),
);
