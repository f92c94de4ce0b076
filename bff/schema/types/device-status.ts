import { builder } from "../builder.ts";

export const DeviceStatusEnum = builder.enumType("DeviceStatus", {
  description:
    "Where a device is in provisioning: PREAPPROVED (waiting for its request), PENDING (request waits for an " +
    "administrator), APPROVED (credentials not yet collected), REJECTED, ACTIVE, DISABLED, REVOKED; UNKNOWN when " +
    "the log has never named it.",
  values: {
    UNKNOWN: { value: "unknown" },
    PREAPPROVED: { value: "preapproved" },
    PENDING: { value: "pending" },
    APPROVED: { value: "approved" },
    REJECTED: { value: "rejected" },
    ACTIVE: { value: "active" },
    DISABLED: { value: "disabled" },
    REVOKED: { value: "revoked" },
  } as const,
});
