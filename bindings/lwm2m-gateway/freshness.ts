/**
 * Pure: when a Read asks the device for a property's current value instead of answering the stored one.
 *
 * A property's stored value is the last `spokes.PropertyReported` on its EVENTS subject; its age is measured from
 * the event's time (the device's time when it gave a sane one, else when the hub received it), the time the twin
 * keeps too. Only properties can be asked (a `readproperty:{property}` action request); an event is what it was.
 */
import type { ResolvedExposure } from "../../core/lwm2m-gateway-mapping.ts";

export type Freshness = {
  /** A stored value older than this is stale; 0 never asks. */
  maxAgeMs: number;
  /** How long a Read waits for the device's report; 0 never asks. */
  readWaitMs: number;
};

/** Asking is off: reads answer the stored value, as observations do. */
export const NEVER_ASK: Freshness = { maxAgeMs: 0, readWaitMs: 0 };

export type StoredValue = {
  value: unknown;
  /** ISO 8601 time of the value. */
  time: string;
  /** EVENTS sequence of the value. */
  seq: number;
};

/** Whether a Read of `exposure`, whose stored value is `stored` (undefined: none), asks the device first. */
export function shouldAsk(
  exposure: Pick<ResolvedExposure, "kind">,
  stored: Pick<StoredValue, "time"> | undefined,
  now: number,
  freshness: Freshness,
): boolean {
  if (exposure.kind !== "property" || freshness.maxAgeMs <= 0 || freshness.readWaitMs <= 0) return false;
  if (!stored) return true;
  const time = Date.parse(stored.time);
  // A value whose time cannot be read cannot be shown to be fresh.
  if (Number.isNaN(time)) return true;
  return now - time > freshness.maxAgeMs;
}
