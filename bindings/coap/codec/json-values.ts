import { base64Decode, utf8Decode } from "./bytes.ts";
import { CodecError } from "./codec-error.ts";
import { INT64_MAX, INT64_MIN, parseObjectLink, type ResourceType, type ResourceValue, UINT64_MAX } from "./values.ts";

/** A JSON number with the exact text it was written as, so 64-bit integers survive parsing. */
export type JsonNumber = { kind: "json-number"; source: string; value: number };

/** A value as a JSON or CBOR record carries it, before the model gives it a type. */
export type RawValue =
  | JsonNumber
  | { kind: "boolean"; value: boolean }
  | { kind: "string"; value: string }
  | { kind: "bytes"; value: Uint8Array }
  | { kind: "objlnk"; value: string };

/**
 * Parses JSON text, keeping each number's source text (ES2025 JSON.parse source access, on Node 22+; where a
 * runtime lacks it, numbers beyond 2^53 lose precision). Bad UTF-8 or syntax is CodecError.
 */
export function parseJson(bytes: Uint8Array): unknown {
  const text = utf8Decode(bytes);
  try {
    return JSON.parse(text, (_key, value: unknown, context?: { source?: string }) => {
      if (typeof value !== "number") return value;
      const number: JsonNumber = { kind: "json-number", source: context?.source ?? String(value), value };
      parsedNumbers.add(number);
      return number;
    });
  } catch (error) {
    throw new CodecError("bad-json", "payload is not JSON", { cause: error });
  }
}

/** Numbers made by parseJson, so an input object that merely looks like one is never taken for a number. */
const parsedNumbers = new WeakSet<object>();

/** True for a number parsed by parseJson. */
export function isJsonNumber(x: unknown): x is JsonNumber {
  return typeof x === "object" && x !== null && parsedNumbers.has(x);
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;

/**
 * Gives a raw value its type: the model's when known (a mismatch is CodecError `bad-type`), else the type the
 * encoding implies — numbers written without fraction or exponent are integers, other numbers floats, text
 * strings, bytes opaque. A string where the model wants opaque is read as base64 (LwM2M JSON has no bytes).
 */
export function typedValue(raw: RawValue, type: ResourceType | undefined): ResourceValue {
  switch (raw.kind) {
    case "json-number": {
      const integral = INTEGER.test(raw.source);
      const wanted = type ?? (integral && inInt64(BigInt(raw.source)) ? "integer" : "float");
      if (wanted === "float") return { type: "float", value: raw.value };
      if (wanted !== "integer" && wanted !== "time" && wanted !== "unsigned") throw mismatch(wanted);
      const value = integral ? BigInt(raw.source) : Number.isSafeInteger(raw.value) ? BigInt(raw.value) : undefined;
      const ok = value !== undefined && (wanted === "unsigned" ? value >= 0n && value <= UINT64_MAX : inInt64(value));
      if (!ok) throw new CodecError("bad-value", `number is not a 64-bit ${wanted}`);
      return { type: wanted, value };
    }
    case "boolean":
      if (type !== undefined && type !== "boolean") throw mismatch(type);
      return { type: "boolean", value: raw.value };
    case "string":
      if (type === "opaque") return { type, value: base64Decode(raw.value) };
      if (type !== undefined && type !== "string") throw mismatch(type);
      return { type: "string", value: raw.value };
    case "bytes":
      if (type !== undefined && type !== "opaque") throw mismatch(type);
      return { type: "opaque", value: raw.value };
    case "objlnk":
      if (type !== undefined && type !== "objlnk") throw mismatch(type);
      return { type: "objlnk", value: parseObjectLink(raw.value) };
  }
}

function inInt64(n: bigint): boolean {
  return n >= INT64_MIN && n <= INT64_MAX;
}

function mismatch(type: ResourceType): CodecError {
  return new CodecError("bad-type", `value does not fit the model type ${type}`);
}

/** JSON text for a number value: integers exact, floats always with a fraction or exponent so they read back as floats. */
export function jsonNumberText(v: ResourceValue): string {
  if (v.type === "float") {
    if (!Number.isFinite(v.value)) throw new CodecError("bad-value", "JSON has no NaN or Infinity");
    const text = Object.is(v.value, -0) ? "-0" : String(v.value);
    return /[.e]/.test(text) ? text : `${text}.0`;
  }
  return String(v.value);
}

/** JSON text for a time in seconds. */
export function timeText(time: number): string {
  if (!Number.isFinite(time)) throw new CodecError("bad-value", "a time must be a finite number");
  return String(time);
}

/** A JSON object that is not an array or null. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !isJsonNumber(x);
}

export function optionalString(x: unknown, field: string): string | undefined {
  return x === undefined ? undefined : stringOf(x, field);
}

export function stringOf(x: unknown, field: string): string {
  if (typeof x !== "string") throw new CodecError("bad-json", `${field} must be a string`);
  return x;
}

export function optionalNumber(x: unknown, field: string): number | undefined {
  return x === undefined ? undefined : numberOf(x, field).value;
}

export function numberOf(x: unknown, field: string): RawValue & { kind: "json-number" } {
  if (!isJsonNumber(x)) throw new CodecError("bad-json", `${field} must be a number`);
  return x;
}

export function booleanOf(x: unknown): boolean {
  if (typeof x !== "boolean") throw new CodecError("bad-json", "bv/vb must be true or false");
  return x;
}
