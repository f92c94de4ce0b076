/** Provisioning: devices, their requests with status, and issued credentials (hashes only). */
import { bigint, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const provisioningDevices = pgTable("provisioning_devices", {
  device: text("device").primaryKey(),
  /** preapproved, pending, approved, rejected, active, disabled or revoked. */
  status: text("status").notNull(),
  publicKey: text("public_key"),
  secretHash: text("secret_hash"),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" }).notNull(),
  /** PROVISIONING stream sequence of the last decision. */
  seq: bigint("seq", { mode: "number" }).notNull(),
});

export const provisioningRequests = pgTable(
  "provisioning_requests",
  {
    /** PROVISIONING stream sequence of the request. */
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    device: text("device").notNull(),
    /** pending, approved or rejected. */
    status: text("status").notNull(),
    publicKey: text("public_key"),
    requestedAt: timestamp("requested_at", { withTimezone: true, mode: "string" }).notNull(),
    decidedBy: text("decided_by"),
    decidedAt: timestamp("decided_at", { withTimezone: true, mode: "string" }),
    reason: text("reason"),
  },
  (t) => [index("provisioning_requests_device_idx").on(t.device)],
);

export const provisioningCredentials = pgTable(
  "provisioning_credentials",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    device: text("device").notNull(),
    credentialHash: text("credential_hash").notNull(),
    issuedAt: timestamp("issued_at", { withTimezone: true, mode: "string" }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "string" }),
  },
  (t) => [index("provisioning_credentials_device_idx").on(t.device)],
);

export const PROVISIONING_TABLES = ["provisioning_devices", "provisioning_requests", "provisioning_credentials"];
