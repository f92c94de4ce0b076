/** Device presence, live from the PRESENCE stream, kept to the devices a caller may see. */
import { eq } from "drizzle-orm";
import type { LoggedEvent } from "../../core/event-log.ts";
import { presence } from "../../core/messages.ts";
import { parseSubject, subjects } from "../../core/subjects.ts";
import { directoryThings } from "../../projections/directory/tables.ts";
import type { PresenceRecord } from "../../projections/presence/queries.ts";
import type { Context } from "../context.ts";
import { END, type Live, liveEvents } from "./replay-then-watch.ts";
import { subscribeCheck } from "./visibility.ts";

/** The CloudEvents source a device's facts carry, as the directory keeps it for the Things the device owns. */
export const deviceSource = (device: string): string => `devices/${device}`;

/** A presence change as the log holds it, in the read model's shape. Undefined for anything else. */
export function toPresence(e: LoggedEvent): PresenceRecord | undefined {
  const a = parseSubject(e.subject);
  if (a.kind !== "presence") return undefined;
  const d = presence.safeParse(e.data);
  if (!d.success) return undefined;
  return {
    device: a.device,
    state: d.data.state,
    until: d.data.until ?? null,
    binding: d.data.binding ?? null,
    things: d.data.things ?? null,
    since: e.time,
    seq: e.seq,
  };
}

/** The Things a device owns: those whose current TD it published. */
export async function thingsOfDevice(ctx: Context, device: string): Promise<string[]> {
  const rows = await ctx.services.db
    .select({ thing: directoryThings.thing })
    .from(directoryThings)
    .where(eq(directoryThings.source, deviceSource(device)));
  return rows.map((r) => r.thing);
}

/**
 * Whether the caller may follow a device's presence: hub admins always; others when they may subscribe to one of
 * the Things the device owns. Answers are remembered per device for `everyMs`, as for Things.
 */
export function devicePresenceCheck(ctx: Context, everyMs = 5000): (device: string) => Promise<boolean> {
  const mayThing = subscribeCheck(ctx, everyMs);
  const known = new Map<string, { allowed: boolean; at: number }>();
  return async (device) => {
    if (ctx.caller?.admin) return true;
    const seen = known.get(device);
    if (seen && Date.now() - seen.at < everyMs) return seen.allowed;
    let allowed = false;
    for (const thing of await thingsOfDevice(ctx, device)) {
      if (await mayThing(thing)) {
        allowed = true;
        break;
      }
    }
    known.set(device, { allowed, at: Date.now() });
    return allowed;
  };
}

export type PresenceRequest = {
  /** One device, or every device the caller may see. */
  device?: string | null;
  since?: number | Date | null;
  /**
   * Whether the caller may see this device's presence now. Following one device, a refusal ends the
   * subscription; following all, that device's change is skipped.
   */
  visible: (device: string) => Promise<boolean>;
};

export function devicePresence(live: Live, r: PresenceRequest): AsyncIterableIterator<PresenceRecord> {
  const filter = r.device ? [subjects.presence(r.device)] : undefined;
  return liveEvents(live, { stream: "PRESENCE", filter, since: r.since }, async (e) => {
    const p = toPresence(e);
    if (p === undefined || (await r.visible(p.device))) return p;
    return r.device ? END : undefined;
  });
}
