/** Presence queries for the BFF. */
import { inArray } from "drizzle-orm";
import type { Db } from "../db/database.ts";
import { presenceDevices as t } from "./tables.ts";

export type PresenceRecord = typeof t.$inferSelect;

/** The latest presence of each named device that ever reported one. */
export async function presenceOf(db: Db, devices: readonly string[]): Promise<PresenceRecord[]> {
  if (devices.length === 0) return [];
  return db
    .select()
    .from(t)
    .where(inArray(t.device, [...devices]));
}

/**
 * Whether a device counts as reachable at `now`: connected, and (when the binding gave a window, as a long poll
 * does) still inside it. Pure.
 */
export function isReachable(p: Pick<PresenceRecord, "state" | "until">, now: Date): boolean {
  if (p.state !== "connected") return false;
  return p.until === null || Date.parse(p.until) > now.getTime();
}
