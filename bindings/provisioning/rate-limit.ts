/**
 * A token bucket per key (a client address): `burst` requests at once, refilled at `perMinute`. In memory, so it
 * bounds what one process accepts; the per-device lock-out after wrong out-of-band secrets lives in the log.
 */
import { RateLimitedError } from "../../core/errors.ts";

export type RateLimiter = { take(key: string, now?: number): void };

export function createRateLimiter(perMinute: number, burst = perMinute, maxKeys = 10_000): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const ratePerMs = perMinute / 60_000;
  return {
    /** Takes one token for `key`, or throws RateLimitedError saying when the next one is there. */
    take(key, now = Date.now()) {
      const b = buckets.get(key) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + (now - b.at) * ratePerMs);
      b.at = now;
      if (b.tokens < 1) {
        buckets.set(key, b);
        throw new RateLimitedError("too many provisioning requests from this address", (1 - b.tokens) / ratePerMs);
      }
      b.tokens -= 1;
      buckets.delete(key);
      buckets.set(key, b);
      // Forget the least recently used addresses first; a forgotten one starts with a full bucket.
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
    },
  };
}
