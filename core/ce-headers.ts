/**
 * Pure: reads the CloudEvents headers the log needs from a raw NATS header block (`NATS/1.0\r\nkey: value\r\n…`),
 * without building nats.js's header map. Same reading as nats.js: keys match exactly, values are trimmed, the first
 * of repeated keys wins. Replay and the projections decode every message, so this is on the hot path.
 */

export type CeHeaders = { id?: string; type?: string; source?: string; time?: string; received?: string };

/** The value of the first header line whose key is exactly `key`, trimmed; undefined when there is none. */
export function headerValue(block: string, key: string): string | undefined {
  // Header lines follow the status line, so each starts right after a CRLF; values hold no CRLF.
  const at = block.indexOf(key);
  if (at === -1) return undefined;
  const from = at + key.length;
  const end = block.indexOf("\r\n", from);
  return block.slice(from, end === -1 ? block.length : end).trim();
}

/** Five native substring searches: about twice as fast as walking the block line by line. */
export function parseCeHeaders(block: string): CeHeaders {
  return {
    id: headerValue(block, "\r\nce-id:"),
    type: headerValue(block, "\r\nce-type:"),
    source: headerValue(block, "\r\nce-source:"),
    time: headerValue(block, "\r\nce-time:"),
    received: headerValue(block, "\r\nce-received:"),
  };
}
