/** Helpers shared by the codec tests; not part of the codec's API. */
import { expect } from "vitest";
import { CodecError } from "./codec-error.ts";
import type { ResourceType, ResourceTypes } from "./values.ts";

/** Bytes from hex, spaces allowed: `hex("C1 09 64")`. */
export function hex(text: string): Uint8Array {
  const clean = text.replaceAll(/\s+/g, "");
  return Uint8Array.from(clean.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}

/** Hex of bytes, upper case, space separated. */
export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join(" ");
}

/** Bytes of a string in UTF-8, as hex. */
export function utf8Hex(text: string): string {
  return toHex(new TextEncoder().encode(text));
}

/** The CodecError `run` throws; fails the test when it throws something else or nothing. */
export function codecErrorOf(run: () => unknown): CodecError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CodecError);
    return error as CodecError;
  }
  throw new Error("expected a CodecError, but nothing was thrown");
}

/** A types function from a table of resource id → type (any object). */
export function typesOf(table: Record<number, ResourceType>): ResourceTypes {
  return (_objectId, resourceId) => table[resourceId];
}
