/** Telling bad data apart from a database that is unavailable. */

/** The SQLSTATE of a Postgres error, looking through drizzle's DrizzleQueryError wrapper. */
export function sqlState(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * Whether Postgres refused the data itself (class 22 data exception, 23 integrity violation, 54 program limit), so
 * retrying cannot help and the event must be set aside; anything else (connection lost, server down) is retried.
 */
export function isDataError(err: unknown): boolean {
  const state = sqlState(err);
  return state !== undefined && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"));
}

/** A short, single-line description of an error for the poison table. */
export function describeError(err: unknown): string {
  const state = sqlState(err);
  let e: unknown = err;
  while ((e as { cause?: unknown })?.cause) e = (e as { cause?: unknown }).cause;
  const message = e instanceof Error ? e.message : String(e);
  return `${state ? `${state} ` : ""}${message}`.replace(/\s+/g, " ").slice(0, 500);
}
