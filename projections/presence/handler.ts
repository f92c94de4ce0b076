/** Presence's pure handler: per device, the last change in stream order wins. */
import type { ProjectionEvent } from "../projection.ts";
import type { presenceDevices } from "./tables.ts";

export type PresenceRow = typeof presenceDevices.$inferInsert;
export type PresenceChanges = { upsert: PresenceRow[] };

/**
 * Stream order, not device time, decides: a binding appends a device's changes in the order it saw them, and a
 * device clock that jumps must not make an old "connected" outlive a later "disconnected".
 */
export function handlePresence(events: readonly ProjectionEvent[]): PresenceChanges {
  const last = new Map<string, PresenceRow>();
  for (const e of events) {
    if (e.type !== "spokes.PresenceChanged" || e.address.kind !== "presence") continue;
    const d = e.data;
    const seen = last.get(e.address.device);
    if (seen && seen.seq >= e.seq) continue;
    last.set(e.address.device, {
      device: e.address.device,
      state: d.state,
      until: d.until ?? null,
      binding: d.binding ?? null,
      things: d.things ?? null,
      since: e.time,
      seq: e.seq,
    });
  }
  return { upsert: [...last.values()] };
}
