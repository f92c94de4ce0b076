/** Content-Format numbers ⇄ the names node-coap turns them into when it parses an option. Pure. */

/** Formats node-coap names; anything else it leaves as a number. */
const NUMBERS: Record<string, number> = {
  "text/plain": 0,
  "application/link-format": 40,
  "application/octet-stream": 42,
  "application/json": 50,
  "application/cbor": 60,
  "application/senml+json": 110,
  "application/senml+cbor": 112,
  "application/td+json": 432,
  "application/vnd.oma.lwm2m+tlv": 11542,
  "application/vnd.oma.lwm2m+json": 11543,
  "application/vnd.oma.lwm2m+cbor": 11544,
};

/** The Content-Format number of a parsed option value (name or number); undefined when absent or unknown. */
export function formatNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  return NUMBERS[value] ?? NUMBERS[value.split(";")[0]?.trim() ?? ""];
}

export const LINK_FORMAT = 40;
export const JSON_FORMAT = 50;
