/** Provisioning queries for the BFF and the device authenticator. */
import { and, asc, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/database.ts";
import { provisioningCredentials, provisioningDevices, provisioningRequests } from "./tables.ts";

export async function deviceOf(db: Db, device: string) {
  const rows = await db.select().from(provisioningDevices).where(eq(provisioningDevices.device, device));
  return rows[0];
}

/** Requests waiting for a decision, oldest first. */
export function pendingRequests(db: Db) {
  return db
    .select()
    .from(provisioningRequests)
    .where(eq(provisioningRequests.status, "pending"))
    .orderBy(asc(provisioningRequests.seq));
}

/** The device's credentials that are not revoked, newest first (hashes only). */
export function activeCredentials(db: Db, device: string) {
  return db
    .select()
    .from(provisioningCredentials)
    .where(and(eq(provisioningCredentials.device, device), isNull(provisioningCredentials.revokedAt)))
    .orderBy(desc(provisioningCredentials.seq));
}
