import { builder } from "../builder.ts";

export const ActionStateEnum = builder.enumType("ActionState", {
  description:
    "Where an action is in its life: REQUESTED → QUEUED (device not reachable) → DELIVERED → COMPLETED or " +
    "FAILED; or EXPIRED (its time to live ran out before delivery) or CANCELLED.",
  values: {
    REQUESTED: { value: "requested" },
    QUEUED: { value: "queued" },
    DELIVERED: { value: "delivered" },
    COMPLETED: { value: "completed" },
    FAILED: { value: "failed" },
    EXPIRED: { value: "expired" },
    CANCELLED: { value: "cancelled" },
  } as const,
});

export const WaitForEnum = builder.enumType("WaitFor", {
  description:
    "When an action request returns: once STORED in the log, or once DELIVERED to the device or COMPLETED (or " +
    "ended otherwise: failed, expired, cancelled), or when the timeout passes, whichever comes first.",
  values: {
    STORED: { value: "stored" },
    DELIVERED: { value: "delivered" },
    COMPLETED: { value: "completed" },
  } as const,
});
