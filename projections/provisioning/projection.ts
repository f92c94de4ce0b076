/** The provisioning projection: PROVISIONING stream → devices, requests, credentials (hashes only). */
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/database.ts";
import { defineProjection } from "../projection.ts";
import { handleProvisioning, type ProvisioningOp } from "./handler.ts";
import {
  provisioningCredentials as credentials,
  provisioningDevices as devices,
  PROVISIONING_TABLES,
  provisioningRequests as requests,
} from "./tables.ts";

async function applyOp(tx: Db, o: ProvisioningOp): Promise<void> {
  switch (o.op) {
    case "device": {
      const row = {
        device: o.device,
        status: o.status,
        publicKey: o.publicKey ?? null,
        secretHash: o.secretHash ?? null,
        updatedAt: o.at,
        seq: o.seq,
      };
      await tx
        .insert(devices)
        .values(row)
        .onConflictDoUpdate({
          target: devices.device,
          set: {
            status: o.status,
            publicKey: sql`coalesce(excluded.public_key, ${devices.publicKey})`,
            secretHash: sql`coalesce(excluded.secret_hash, ${devices.secretHash})`,
            updatedAt: o.at,
            seq: o.seq,
          },
          setWhere: sql`${devices.seq} < excluded.seq`,
        });
      return;
    }
    case "request":
      await tx
        .insert(requests)
        .values({ seq: o.seq, device: o.device, status: "pending", publicKey: o.publicKey ?? null, requestedAt: o.at })
        .onConflictDoNothing();
      return;
    case "decideRequests":
      await tx
        .update(requests)
        .set({ status: o.status, decidedBy: o.by ?? null, decidedAt: o.at, reason: o.reason ?? null })
        .where(and(eq(requests.device, o.device), eq(requests.status, "pending")));
      return;
    case "issue":
      await tx
        .insert(credentials)
        .values({ seq: o.seq, device: o.device, credentialHash: o.credentialHash, issuedAt: o.at })
        .onConflictDoNothing();
      return;
    case "revokeCredentials":
      await tx
        .update(credentials)
        .set({ revokedAt: o.at })
        .where(and(eq(credentials.device, o.device), isNull(credentials.revokedAt)));
      return;
  }
}

export const provisioning = defineProjection<ProvisioningOp[]>({
  name: "provisioning",
  stream: "PROVISIONING",
  filter: [],
  tables: PROVISIONING_TABLES,
  handle: handleProvisioning,
  async apply(tx, ops) {
    for (const o of ops) await applyOp(tx, o);
  },
});
