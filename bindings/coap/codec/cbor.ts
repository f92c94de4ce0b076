import { concat, utf8Decode, utf8Encode, viewOf } from "./bytes.ts";
import { CodecError } from "./codec-error.ts";

/**
 * The CBOR (RFC 8949) subset SenML needs: integers (as bigint), floats (half, single, double), byte and text
 * strings, arrays, maps (as ordered entry lists), booleans, null and undefined. Tags are skipped; indefinite
 * lengths are accepted for arrays and maps only.
 */
export type CborValue =
  | bigint
  | number
  | string
  | Uint8Array
  | boolean
  | null
  | undefined
  | CborValue[]
  | { pairs: [CborValue, CborValue][] };

/** Nesting deeper than this is refused, so crafted input cannot exhaust the stack (SenML needs 2). */
const MAX_DEPTH = 16;
const BREAK = Symbol("break");

/** Decodes exactly one CBOR item filling all of `bytes`; anything else is CodecError. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const view = viewOf(bytes);
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.length) throw new CodecError("truncated", "CBOR item runs past the end");
  };
  const argument = (info: number): bigint | undefined => {
    if (info < 24) return BigInt(info);
    if (info > 27) {
      if (info === 31) return undefined;
      throw new CodecError("bad-cbor", "reserved CBOR additional information");
    }
    const size = 2 ** (info - 24);
    need(size);
    let n = 0n;
    for (let i = 0; i < size; i++) n = (n << 8n) | BigInt(bytes[at + i] ?? 0);
    at += size;
    return n;
  };
  const count = (n: bigint | undefined, unit: number): number | undefined => {
    if (n === undefined) return undefined;
    if (n * BigInt(unit) > BigInt(bytes.length - at)) throw new CodecError("truncated", "CBOR length past the end");
    return Number(n);
  };
  const item = (depth: number): CborValue | typeof BREAK => {
    if (depth > MAX_DEPTH) throw new CodecError("bad-cbor", "CBOR nested too deep");
    need(1);
    const initial = bytes[at++] ?? 0;
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (major === 7) return simple(info);
    const arg = argument(info);
    switch (major) {
      case 0:
      case 1:
        if (arg === undefined) throw new CodecError("bad-cbor", "an integer has no indefinite length");
        return major === 0 ? arg : -1n - arg;
      case 2:
      case 3: {
        const length = count(arg, 1);
        if (length === undefined) throw new CodecError("bad-cbor", "indefinite-length strings are not supported");
        const chunk = bytes.slice(at, at + length);
        at += length;
        return major === 2 ? chunk : utf8Decode(chunk);
      }
      case 4:
        return list(count(arg, 1), depth);
      case 5: {
        const flat = list(count(arg, 2) === undefined ? undefined : Number(arg) * 2, depth);
        if (flat.length % 2) throw new CodecError("bad-cbor", "a CBOR map needs a value for every key");
        const pairs: [CborValue, CborValue][] = [];
        for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
        return { pairs };
      }
      default: {
        if (arg === undefined) throw new CodecError("bad-cbor", "a tag has no indefinite length");
        const inner = item(depth + 1); // major 6: a tag; its meaning does not matter to SenML
        if (inner === BREAK) throw new CodecError("bad-cbor", "a tag needs an item");
        return inner;
      }
    }
  };
  const list = (length: number | undefined, depth: number): CborValue[] => {
    const out: CborValue[] = [];
    for (let i = 0; length === undefined || i < length; i++) {
      const next = item(depth + 1);
      if (next === BREAK) {
        if (length === undefined) return out;
        throw new CodecError("bad-cbor", "unexpected CBOR break");
      }
      out.push(next);
    }
    return out;
  };
  const simple = (info: number): CborValue | typeof BREAK => {
    const sizes: Record<number, number> = { 25: 2, 26: 4, 27: 8 };
    const size = sizes[info];
    if (size !== undefined) {
      need(size);
      const x = size === 2 ? half(view.getUint16(at)) : size === 4 ? view.getFloat32(at) : view.getFloat64(at);
      at += size;
      return x;
    }
    if (info === 20 || info === 21) return info === 21;
    if (info === 22) return null;
    if (info === 23) return undefined;
    if (info === 31) return BREAK;
    throw new CodecError("bad-cbor", "unsupported CBOR simple value");
  };
  const value = item(0);
  if (value === BREAK) throw new CodecError("bad-cbor", "unexpected CBOR break");
  if (at !== bytes.length) throw new CodecError("trailing-bytes", "bytes after the CBOR item");
  return value;
}

function half(bits: number): number {
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Encodes a value: bigint as the shortest integer, numbers as float32 when exact else float64. */
export function encodeCbor(value: CborValue): Uint8Array {
  if (typeof value === "bigint") return value >= 0n ? head(0, value) : head(1, -1n - value);
  if (typeof value === "number") {
    const single = Number.isNaN(value) || Object.is(Math.fround(value), value);
    const out = new Uint8Array(single ? 5 : 9);
    out[0] = single ? 0xfa : 0xfb;
    if (single) viewOf(out).setFloat32(1, value);
    else viewOf(out).setFloat64(1, value);
    return out;
  }
  if (typeof value === "string") {
    const text = utf8Encode(value);
    return concat([head(3, BigInt(text.length)), text]);
  }
  if (value instanceof Uint8Array) return concat([head(2, BigInt(value.length)), value]);
  if (typeof value === "boolean") return Uint8Array.of(value ? 0xf5 : 0xf4);
  if (value === null) return Uint8Array.of(0xf6);
  if (value === undefined) return Uint8Array.of(0xf7);
  if (Array.isArray(value)) return concat([head(4, BigInt(value.length)), ...value.map(encodeCbor)]);
  return concat([head(5, BigInt(value.pairs.length)), ...value.pairs.flat().map(encodeCbor)]);
}

function head(major: number, n: bigint): Uint8Array {
  if (n < 0n || n >= 2n ** 64n) throw new CodecError("bad-value", "CBOR integer outside 64 bits");
  if (n < 24n) return Uint8Array.of((major << 5) | Number(n));
  const size = n < 256n ? 1 : n < 65536n ? 2 : n < 2n ** 32n ? 4 : 8;
  const out = new Uint8Array(1 + size);
  out[0] = (major << 5) | (24 + Math.log2(size));
  for (let i = size, rest = n; i >= 1; i--, rest >>= 8n) out[i] = Number(rest & 0xffn);
  return out;
}
