/** Arguments invokeAction and writeProperty share: time to live, and what to wait for with a timeout. */
import { z } from "zod";
import type { WaitFor } from "../../write/request-action.ts";

/** Default and largest wait, in seconds, when the caller waits for delivery or completion. */
export const DEFAULT_TIMEOUT_S = 10;
export const MAX_TIMEOUT_S = 120;

export const requestOptions = {
  ttl: z
    .number()
    .int()
    .positive()
    .max(366 * 24 * 3600)
    .nullish(),
  waitFor: z.enum(["stored", "delivered", "completed"]).nullish(),
  timeout: z.number().int().positive().max(MAX_TIMEOUT_S).nullish(),
};

export function waiting(a: { waitFor?: WaitFor | null; timeout?: number | null }) {
  return { waitFor: a.waitFor ?? "stored", timeoutMs: (a.timeout ?? DEFAULT_TIMEOUT_S) * 1000 };
}

export const TTL_DESCRIPTION = "Seconds the request may wait for delivery before it expires.";
export const TIMEOUT_DESCRIPTION = `Seconds to wait for \`waitFor\` (default ${DEFAULT_TIMEOUT_S}, at most ${MAX_TIMEOUT_S}).`;
