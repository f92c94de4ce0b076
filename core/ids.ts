/**
 * Reversible encoding of outside ids (URNs, URLs, names with dots, spaces or wildcards) into one NATS subject
 * token that is also one MQTT topic level. Letters, digits, `-`, `_` and `:` stay as they are, so common URNs
 * remain readable; every other UTF-8 byte becomes `~` and two upper-case hex digits. The encoding is canonical:
 * decode accepts only what encode produces, so two different tokens never name the same id.
 */
import { ValidationError } from "./errors.ts";

const SAFE = /^[A-Za-z0-9_:-]$/;
const TOKEN = /^(?:[A-Za-z0-9_:-]|~[0-9A-F]{2})+$/;
/** Longest id we accept, in characters; keeps subjects well under NATS and MQTT limits. */
export const MAX_ID_LENGTH = 256;

const encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF in the output; by default the decoder would drop it and break the round trip.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function encodeToken(id: string): string {
  if (id.length === 0) throw new ValidationError("an id must not be empty");
  if (id.length > MAX_ID_LENGTH) throw new ValidationError(`an id must be at most ${MAX_ID_LENGTH} characters`);
  if (!id.isWellFormed()) throw new ValidationError("an id must be well-formed Unicode");
  let out = "";
  for (const ch of id) {
    if (SAFE.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of encoder.encode(ch)) out += `~${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

export function decodeToken(token: string): string {
  if (!TOKEN.test(token)) throw new ValidationError(`"${token.slice(0, 80)}" is not an encoded id`);
  const bytes: number[] = [];
  let out = "";
  const flush = () => {
    if (bytes.length === 0) return;
    try {
      out += decoder.decode(new Uint8Array(bytes));
    } catch (cause) {
      throw new ValidationError(`"${token.slice(0, 80)}" holds bytes that are not UTF-8`, [], { cause });
    }
    bytes.length = 0;
  };
  for (let i = 0; i < token.length; ) {
    if (token[i] === "~") {
      const byte = Number.parseInt(token.slice(i + 1, i + 3), 16);
      bytes.push(byte);
      i += 3;
    } else {
      flush();
      out += token[i];
      i += 1;
    }
  }
  flush();
  if (encodeToken(out) !== token) throw new ValidationError(`"${token.slice(0, 80)}" is not in canonical form`);
  return out;
}
