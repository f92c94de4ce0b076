/**
 * Pure: reads the CloudEvents headers the log needs from a raw NATS header block (`NATS/1.0\r\nkey: value\r\n…`),
 * without building nats.js's header map. Same reading as nats.js: keys match exactly, values are trimmed, the first
 * of repeated keys wins. Replay and the projections decode every message, so this is on the hot path.
 */

export type CeHeaders = { id?: string; type?: string; source?: string; time?: string; received?: string };

const FIELDS = new Map<string, keyof CeHeaders>([
  ["ce-id", "id"],
  ["ce-type", "type"],
  ["ce-source", "source"],
  ["ce-time", "time"],
  ["ce-received", "received"],
]);

export function parseCeHeaders(block: string): CeHeaders {
  const out: CeHeaders = {};
  // The first line is the status line; header lines follow, each ending in CRLF.
  let start = block.indexOf("\r\n");
  while (start !== -1) {
    start += 2;
    const end = block.indexOf("\r\n", start);
    const stop = end === -1 ? block.length : end;
    // Only `ce-…` lines matter: skip the others without slicing them.
    const colon = block.startsWith("ce-", start) ? block.indexOf(":", start) : -1;
    if (colon !== -1 && colon < stop) {
      const field = FIELDS.get(block.slice(start, colon));
      if (field !== undefined && out[field] === undefined) out[field] = block.slice(colon + 1, stop).trim();
    }
    start = end;
  }
  return out;
}
