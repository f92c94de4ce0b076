import { utf8Decode, utf8Encode, viewOf } from "./bytes.ts";
import { CodecError } from "./codec-error.ts";
import { checkValue, type ResourceType, type ResourceValue } from "./values.ts";

/**
 * Value bytes of one TLV resource (LwM2M 1.0 TS §6.4.3, Appendix C): integers and times are big-endian two's
 * complement in 1, 2, 4 or 8 bytes; unsigned integers the same sizes without sign; floats IEEE 754 in 4 or 8;
 * booleans one byte 0 or 1; object links two big-endian uint16; strings UTF-8; opaque as is.
 */
export function encodeTlvValue(v: ResourceValue): Uint8Array {
  checkValue(v);
  switch (v.type) {
    case "string":
      return utf8Encode(v.value);
    case "opaque":
      return v.value;
    case "boolean":
      return Uint8Array.of(v.value ? 1 : 0);
    case "integer":
    case "time":
      return signedBytes(v.value);
    case "unsigned":
      return unsignedBytes(v.value);
    case "float":
      return floatBytes(v.value);
    case "objlnk": {
      const out = new Uint8Array(4);
      viewOf(out).setUint16(0, v.value.objectId);
      viewOf(out).setUint16(2, v.value.instanceId);
      return out;
    }
  }
}

/** The smallest of 1, 2, 4 or 8 bytes that holds a signed 64-bit value. */
function signedBytes(n: bigint): Uint8Array {
  const size =
    n >= -128n && n <= 127n ? 1 : n >= -32768n && n <= 32767n ? 2 : n >= -(2n ** 31n) && n < 2n ** 31n ? 4 : 8;
  return bigEndian(n, size);
}

/** The low `size` bytes of n, big-endian (two's complement for negatives). */
function bigEndian(n: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let rest = BigInt.asUintN(size * 8, n);
  for (let i = size - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

function unsignedBytes(n: bigint): Uint8Array {
  const size = n < 2n ** 8n ? 1 : n < 2n ** 16n ? 2 : n < 2n ** 32n ? 4 : 8;
  return bigEndian(n, size);
}

/** 4 bytes when float32 holds the value exactly (NaN and ±Infinity included), else 8. */
function floatBytes(x: number): Uint8Array {
  if (Number.isNaN(x) || Object.is(Math.fround(x), x)) {
    const out = new Uint8Array(4);
    viewOf(out).setFloat32(0, x);
    return out;
  }
  const out = new Uint8Array(8);
  viewOf(out).setFloat64(0, x);
  return out;
}

/** Reads value bytes as `type`; a size the type does not allow is CodecError `bad-length`. */
export function decodeTlvValue(bytes: Uint8Array, type: ResourceType): ResourceValue {
  const view = viewOf(bytes);
  switch (type) {
    case "string":
      return { type, value: utf8Decode(bytes) };
    case "opaque":
      return { type, value: bytes.slice() };
    case "boolean":
      if (bytes.length !== 1) throw new CodecError("bad-length", "a boolean is 1 byte");
      if (view.getUint8(0) > 1) throw new CodecError("bad-value", "a boolean is 0 or 1");
      return { type, value: view.getUint8(0) === 1 };
    case "integer":
    case "time":
      return { type, value: BigInt.asIntN(sizeOf(bytes, type) * 8, readUnsigned(bytes)) };
    case "unsigned":
      sizeOf(bytes, type);
      return { type, value: readUnsigned(bytes) };
    case "float":
      if (bytes.length === 4) return { type, value: view.getFloat32(0) };
      if (bytes.length === 8) return { type, value: view.getFloat64(0) };
      throw new CodecError("bad-length", "a float is 4 or 8 bytes");
    case "objlnk":
      if (bytes.length !== 4) throw new CodecError("bad-length", "an objlnk is 4 bytes");
      return { type, value: { objectId: view.getUint16(0), instanceId: view.getUint16(2) } };
  }
}

function sizeOf(bytes: Uint8Array, type: string): number {
  if (![1, 2, 4, 8].includes(bytes.length)) throw new CodecError("bad-length", `an ${type} is 1, 2, 4 or 8 bytes`);
  return bytes.length;
}

function readUnsigned(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  return n;
}
