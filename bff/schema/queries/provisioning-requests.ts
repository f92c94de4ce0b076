import { pendingRequests } from "../../../projections/provisioning/queries.ts";
import { builder } from "../builder.ts";
import { ProvisioningRequestRef } from "../types/provisioning-request.ts";
import { requireAdmin } from "./devices.ts";

builder.queryField("pendingProvisioningRequests", (t) =>
  t.field({
    type: [ProvisioningRequestRef],
    description: "Requests waiting for an administrator's decision, oldest first (administrators only).",
    resolve: (_root, _a, ctx) => {
      requireAdmin(ctx, "list provisioning requests");
      return pendingRequests(ctx.services.db);
    },
  }),
);
