import { Buffer } from "node:buffer";
import { CodecError } from "./codec-error.ts";

const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Decodes UTF-8, refusing malformed sequences with CodecError `bad-utf8` (never U+FFFD substitution). */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return strictDecoder.decode(bytes);
  } catch (error) {
    throw new CodecError("bad-utf8", "text is not valid UTF-8", { cause: error });
  }
}

/** Encodes a string as UTF-8; the caller has checked it is well formed. */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Decodes base64 or base64url, padded or not; anything else is CodecError `bad-value`. */
export function base64Decode(text: string): Uint8Array {
  const bare = text.replace(/=+$/, "");
  if (!BASE64.test(text) || bare.length % 4 === 1 || (text.length !== bare.length && text.length % 4 !== 0)) {
    throw new CodecError("bad-value", "opaque value is not base64");
  }
  return new Uint8Array(Buffer.from(bare.replaceAll("-", "+").replaceAll("_", "/"), "base64"));
}

/** Encodes bytes as padded base64 (LwM2M JSON) or unpadded base64url (SenML `vd`). */
export function base64Encode(bytes: Uint8Array, url = false): string {
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  return url ? b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "") : b64;
}

/** A DataView over exactly these bytes. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
