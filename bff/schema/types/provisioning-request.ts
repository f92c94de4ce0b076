import type { provisioningRequests } from "../../../projections/provisioning/tables.ts";
import { builder } from "../builder.ts";

export type RequestRow = typeof provisioningRequests.$inferSelect;

export const RequestStatusEnum = builder.enumType("ProvisioningRequestStatus", {
  values: { PENDING: { value: "pending" }, APPROVED: { value: "approved" }, REJECTED: { value: "rejected" } } as const,
});

export const ProvisioningRequestRef = builder.objectRef<RequestRow>("ProvisioningRequest").implement({
  description: "A device's request for credentials.",
  fields: (t) => ({
    seq: t.exposeInt("seq", { description: "PROVISIONING stream sequence of the request." }),
    device: t.exposeID("device"),
    status: t.field({ type: RequestStatusEnum, resolve: (r) => r.status as never }),
    publicKey: t.exposeString("publicKey", { nullable: true }),
    requestedAt: t.field({ type: "DateTime", resolve: (r) => r.requestedAt }),
    decidedBy: t.exposeString("decidedBy", { nullable: true }),
    decidedAt: t.field({ type: "DateTime", nullable: true, resolve: (r) => r.decidedAt }),
    reason: t.exposeString("reason", { nullable: true }),
  }),
});
