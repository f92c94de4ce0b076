/**
 * Checks a value against the WoT DataSchema subset the hub supports (core/td.ts): `type`, `enum`,
 * `minimum`/`maximum`, `properties` with `required`, `items` (one schema for every element, or a list for a
 * tuple), and `oneOf` (exactly one must match). Other keywords are ignored. Pure; returns every issue found,
 * each with a dotted path below `root`, so a client can point at the offending field.
 */
import type { Issue } from "../core/errors.ts";
import type { DataSchema } from "../core/td.ts";

type JsonType = NonNullable<DataSchema["type"]>;

function typeOf(value: unknown): JsonType | "undefined" {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  if (typeof value === "string") return "string";
  if (typeof value === "boolean") return "boolean";
  return typeof value === "object" ? "object" : "undefined";
}

const fits = (expected: JsonType, actual: JsonType | "undefined") =>
  expected === actual || (expected === "number" && actual === "integer");

/** Structural equality of JSON values (for `enum`). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameJson((a as never)[k], (b as never)[k]));
}

const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));

/** The issues of `value` against `schema`; empty when it conforms. */
export function checkValue(schema: DataSchema, value: unknown, root = "(root)"): Issue[] {
  const issues: Issue[] = [];
  const actual = typeOf(value);
  if (schema.type !== undefined && !fits(schema.type, actual)) {
    return [{ path: root, message: `must be ${schema.type}, not ${actual}` }];
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => sameJson(e, value))) {
    const allowed = schema.enum.map((e) => JSON.stringify(e)).join(", ");
    issues.push({ path: root, message: `must be one of ${allowed.slice(0, 200)}` });
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) {
      issues.push({ path: root, message: `must be at least ${schema.minimum}` });
    }
    if (schema.maximum !== undefined && value > schema.maximum) {
      issues.push({ path: root, message: `must be at most ${schema.maximum}` });
    }
  }
  if (actual === "object") {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) {
      if (!Object.hasOwn(object, key)) issues.push({ path: join(root, key), message: "is required" });
    }
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (Object.hasOwn(object, key)) issues.push(...checkValue(sub, object[key], join(root, key)));
    }
  }
  if (actual === "array" && schema.items !== undefined) {
    const items = value as unknown[];
    const tuple = Array.isArray(schema.items) ? schema.items : undefined;
    items.forEach((item, i) => {
      const sub = tuple ? tuple[i] : (schema.items as DataSchema);
      if (sub) issues.push(...checkValue(sub, item, join(root, i)));
    });
  }
  if (schema.oneOf !== undefined) {
    const matches = schema.oneOf.filter((s) => checkValue(s, value, root).length === 0).length;
    if (matches !== 1) issues.push({ path: root, message: `must match exactly one schema of oneOf (${matches} do)` });
  }
  return issues;
}
