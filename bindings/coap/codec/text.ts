import { base64Decode, base64Encode, utf8Decode, utf8Encode } from "./bytes.ts";
import { CodecError } from "./codec-error.ts";
import { checkNodeAtPath } from "./node-check.ts";
import { type LwM2mPath, pathLevel } from "./path.ts";
import {
  formatObjectLink,
  INT64_MAX,
  INT64_MIN,
  type LwM2mNode,
  parseObjectLink,
  type ResourceTypes,
  type ResourceValue,
  UINT64_MAX,
} from "./values.ts";

/** Wraps one value in the node its (resource or resource-instance) path calls for. */
export function singleNode(path: LwM2mPath, value: ResourceValue): LwM2mNode {
  const level = pathLevel(path);
  if (level === "resource") return { kind: "single-resource", id: path.resourceId ?? 0, value };
  if (level === "resource-instance") return { kind: "resource-instance", id: path.resourceInstanceId ?? 0, value };
  throw new CodecError("bad-type", "this format carries one resource value, not a whole object or instance");
}

/** The one value of a single resource or resource instance node. */
export function singleValue(node: LwM2mNode, path: LwM2mPath): ResourceValue {
  checkNodeAtPath(node, path);
  if (node.kind === "single-resource" || node.kind === "resource-instance") return node.value;
  throw new CodecError("bad-type", "this format carries one resource value, not a multiple resource");
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const FLOAT = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/**
 * Decodes text/plain (0): the model type decides how the text reads; without a model the value is a string.
 * Integers and times are decimal, floats decimal or exponent form, booleans `0`/`1`, objlnk `o:i`, opaque base64.
 */
export function decodeText(bytes: Uint8Array, path: LwM2mPath, types?: ResourceTypes): LwM2mNode {
  const text = utf8Decode(bytes);
  const type = types?.(path.objectId, path.resourceId ?? -1) ?? "string";
  return singleNode(path, parseText(text, type));
}

function parseText(text: string, type: ResourceValue["type"]): ResourceValue {
  switch (type) {
    case "string":
      return { type, value: text };
    case "integer":
    case "time":
    case "unsigned": {
      if (!INTEGER.test(text)) throw new CodecError("bad-value", `text is not an ${type}`);
      const value = BigInt(text);
      const [min, max] = type === "unsigned" ? [0n, UINT64_MAX] : [INT64_MIN, INT64_MAX];
      if (value < min || value > max) throw new CodecError("bad-value", `${type} outside 64 bits`);
      return { type, value };
    }
    case "float":
      if (!FLOAT.test(text)) throw new CodecError("bad-value", "text is not a float");
      return { type, value: Number(text) };
    case "boolean":
      if (text !== "0" && text !== "1") throw new CodecError("bad-value", "a boolean is 0 or 1");
      return { type, value: text === "1" };
    case "objlnk":
      return { type, value: parseObjectLink(text) };
    case "opaque":
      return { type, value: base64Decode(text) };
  }
}

/** Encodes a single value as text/plain (0); floats use the shortest decimal that reads back exactly. */
export function encodeText(node: LwM2mNode, path: LwM2mPath): Uint8Array {
  const v = singleValue(node, path);
  switch (v.type) {
    case "string":
      return utf8Encode(v.value);
    case "float":
      if (!Number.isFinite(v.value)) throw new CodecError("bad-value", "text/plain has no NaN or Infinity");
      return utf8Encode(Object.is(v.value, -0) ? "-0" : String(v.value));
    case "boolean":
      return utf8Encode(v.value ? "1" : "0");
    case "objlnk":
      return utf8Encode(formatObjectLink(v.value));
    case "opaque":
      return utf8Encode(base64Encode(v.value));
    default:
      return utf8Encode(v.value.toString());
  }
}

/** Decodes application/octet-stream (42): the bytes are the value of one opaque resource. */
export function decodeOpaque(bytes: Uint8Array, path: LwM2mPath): LwM2mNode {
  return singleNode(path, { type: "opaque", value: bytes.slice() });
}

/** Encodes an opaque value as its own bytes (42); any other type is CodecError `bad-type`. */
export function encodeOpaque(node: LwM2mNode, path: LwM2mPath): Uint8Array {
  const v = singleValue(node, path);
  if (v.type !== "opaque") throw new CodecError("bad-type", "the opaque format carries only opaque values");
  return v.value;
}
