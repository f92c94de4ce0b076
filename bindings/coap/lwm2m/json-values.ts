/**
 * LwM2M values ⇄ the JSON values the hub stores. Integers outside the safe range become decimal strings, opaque
 * becomes base64, object links `3:0`, times seconds since the epoch. Pure.
 */
import { ValidationError } from "../../../core/errors.ts";
import {
  formatObjectLink,
  type LwM2mNode,
  parseObjectLink,
  type ResourceNode,
  type ResourceType,
  type ResourceValue,
} from "../codec/index.ts";

type Json = string | number | boolean | { [k: string]: Json };

const bigJson = (v: bigint): Json => (v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v.toString());

/** The JSON form of one value. */
export function jsonOfValue(v: ResourceValue): Json {
  switch (v.type) {
    case "integer":
    case "unsigned":
    case "time":
      return bigJson(v.value);
    case "opaque":
      return Buffer.from(v.value).toString("base64");
    case "objlnk":
      return formatObjectLink(v.value);
    default:
      return v.value;
  }
}

function jsonOfResource(r: ResourceNode): Json {
  if (r.kind === "single-resource") return jsonOfValue(r.value);
  return Object.fromEntries(r.instances.map((i) => [String(i.id), jsonOfValue(i.value)]));
}

/** Resource id → JSON value for every resource a node carries (an instance, a resource, a resource instance). */
export function resourceValuesOf(node: LwM2mNode, resourceId?: number): Map<number, Json> {
  switch (node.kind) {
    case "object-instance":
      return new Map(node.resources.map((r) => [r.id, jsonOfResource(r)]));
    case "single-resource":
    case "multiple-resource":
      return new Map([[node.id, jsonOfResource(node)]]);
    case "resource-instance":
      return resourceId === undefined
        ? new Map()
        : new Map([[resourceId, { [String(node.id)]: jsonOfValue(node.value) }]]);
    case "object":
      return new Map();
  }
}

const bad = (type: string) =>
  new ValidationError(`the value is not a valid ${type}`, [{ path: "value", message: `must be ${type}` }]);

function integerOf(json: unknown, type: string): bigint {
  if (typeof json === "number" && Number.isInteger(json)) return BigInt(json);
  if (typeof json === "string" && /^-?[0-9]{1,20}$/.test(json)) return BigInt(json);
  throw bad(type);
}

/** A JSON value as a typed LwM2M value of `type` (strings without a model). Throws ValidationError. */
export function valueOfJson(json: unknown, type: ResourceType | undefined): ResourceValue {
  switch (type) {
    case "integer":
    case "unsigned":
    case "time":
      return { type, value: integerOf(json, type) };
    case "float":
      if (typeof json !== "number") throw bad("number");
      return { type, value: json };
    case "boolean":
      if (typeof json !== "boolean") throw bad("boolean");
      return { type, value: json };
    case "opaque":
      if (typeof json !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(json)) throw bad("base64 string");
      return { type, value: new Uint8Array(Buffer.from(json, "base64")) };
    case "objlnk":
      if (typeof json !== "string") throw bad("object link");
      try {
        return { type, value: parseObjectLink(json) };
      } catch {
        throw bad("object link");
      }
    default:
      if (typeof json === "string") return { type: "string", value: json };
      if (typeof json === "number")
        return Number.isInteger(json) ? { type: "integer", value: BigInt(json) } : { type: "float", value: json };
      if (typeof json === "boolean") return { type: "boolean", value: json };
      throw bad("string");
  }
}
