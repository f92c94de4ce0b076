import { CodecError } from "./codec-error.ts";

/** What a TLV entry identifies, from bits 7-6 of its type byte. */
export type TlvKind = "object-instance" | "resource-instance" | "multiple-resource" | "resource";

/** One TLV entry: for object instances and multiple resources `value` holds nested entries. */
export type TlvEntry = { kind: TlvKind; id: number; value: Uint8Array };

const KINDS: readonly TlvKind[] = ["object-instance", "resource-instance", "multiple-resource", "resource"];

/** The largest value a 24-bit TLV length can announce. */
export const TLV_MAX_LENGTH = 0xff_ffff;

/**
 * Splits bytes into TLV entries (LwM2M 1.0 TS §6.4.3). Type byte: bits 7-6 kind, bit 5 identifier width (8 or
 * 16 bits), bits 4-3 length width (0, 8, 16 or 24 bits), bits 2-0 the length itself when its width is 0.
 */
export function readTlv(bytes: Uint8Array): TlvEntry[] {
  const entries: TlvEntry[] = [];
  let at = 0;
  while (at < bytes.length) {
    const type = bytes[at] ?? 0;
    const idSize = type & 0x20 ? 2 : 1;
    const lengthSize = (type >> 3) & 0x03;
    const headerEnd = at + 1 + idSize + lengthSize;
    if (headerEnd > bytes.length) throw new CodecError("truncated", "TLV header runs past the end");
    const id = readNumber(bytes, at + 1, idSize);
    const length = lengthSize === 0 ? type & 0x07 : readNumber(bytes, at + 1 + idSize, lengthSize);
    if (headerEnd + length > bytes.length) throw new CodecError("truncated", "TLV length runs past the end");
    entries.push({ kind: KINDS[type >> 6] ?? "resource", id, value: bytes.subarray(headerEnd, headerEnd + length) });
    at = headerEnd + length;
  }
  return entries;
}

function readNumber(bytes: Uint8Array, from: number, size: number): number {
  let n = 0;
  for (let i = from; i < from + size; i++) n = n * 256 + (bytes[i] ?? 0);
  return n;
}

/** Frames one entry with the narrowest identifier and length fields. */
export function writeTlv(kind: TlvKind, id: number, value: Uint8Array): Uint8Array {
  if (!Number.isInteger(id) || id < 0 || id > 0xffff) throw new CodecError("bad-value", "TLV id outside 16 bits");
  if (value.length > TLV_MAX_LENGTH) throw new CodecError("bad-length", "TLV value longer than 2^24-1 bytes");
  const idSize = id > 0xff ? 2 : 1;
  const lengthSize = value.length < 8 ? 0 : value.length <= 0xff ? 1 : value.length <= 0xffff ? 2 : 3;
  const out = new Uint8Array(1 + idSize + lengthSize + value.length);
  out[0] = (KINDS.indexOf(kind) << 6) | (idSize === 2 ? 0x20 : 0) | (lengthSize << 3) | (lengthSize ? 0 : value.length);
  writeNumber(out, 1, idSize, id);
  writeNumber(out, 1 + idSize, lengthSize, value.length);
  out.set(value, 1 + idSize + lengthSize);
  return out;
}

function writeNumber(out: Uint8Array, from: number, size: number, n: number): void {
  for (let i = from + size - 1; i >= from; i--) {
    out[i] = n & 0xff;
    n = Math.floor(n / 256);
  }
}
