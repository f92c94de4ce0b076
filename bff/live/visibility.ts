/** Access checks for long-lived subscriptions: re-checked at most every few seconds per Thing, not per event. */
import { roleAllows } from "../../projections/access/roles.ts";
import { requireCaller, roleOnThing } from "../access.ts";
import type { Context } from "../context.ts";

/**
 * Whether the caller may still subscribe to a Thing's facts; a removed member stops receiving them within
 * `everyMs`. One function per subscription: it remembers each Thing's answer for `everyMs`.
 */
export function subscribeCheck(ctx: Context, everyMs = 5000): (thing: string) => Promise<boolean> {
  const known = new Map<string, { allowed: boolean; at: number }>();
  return async (thing) => {
    const seen = known.get(thing);
    if (seen && Date.now() - seen.at < everyMs) return seen.allowed;
    const role = await roleOnThing(ctx, requireCaller(ctx), thing);
    const allowed = role !== undefined && roleAllows(role, "subscribe");
    known.set(thing, { allowed, at: Date.now() });
    return allowed;
  };
}
