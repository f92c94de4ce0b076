import { CodecError } from "./codec-error.ts";

/** The LwM2M data types a resource can hold (LwM2M 1.1 adds unsigned; Core Link is carried as a string). */
export type ResourceType = "string" | "integer" | "unsigned" | "float" | "boolean" | "opaque" | "time" | "objlnk";

/** A link to an object instance; `65535:65535` is the spec's null link. */
export type ObjectLink = { objectId: number; instanceId: number };

/**
 * One typed value. Integers, unsigned integers and times are bigint so 64-bit values stay exact; time is seconds
 * since the Unix epoch (UTC).
 */
export type ResourceValue =
  | { type: "string"; value: string }
  | { type: "integer"; value: bigint }
  | { type: "unsigned"; value: bigint }
  | { type: "float"; value: number }
  | { type: "boolean"; value: boolean }
  | { type: "opaque"; value: Uint8Array }
  | { type: "time"; value: bigint }
  | { type: "objlnk"; value: ObjectLink };

/** A value in one instance of a multiple resource. */
export type ResourceInstanceNode = { kind: "resource-instance"; id: number; value: ResourceValue };
/** A single-instance resource and its value. */
export type SingleResourceNode = { kind: "single-resource"; id: number; value: ResourceValue };
/** A multiple-instance resource: zero or more resource instances. */
export type MultipleResourceNode = { kind: "multiple-resource"; id: number; instances: ResourceInstanceNode[] };
/** Either kind of resource. */
export type ResourceNode = SingleResourceNode | MultipleResourceNode;
/** An object instance and the resources it carries. */
export type ObjectInstanceNode = { kind: "object-instance"; id: number; resources: ResourceNode[] };
/** An object and its instances. */
export type ObjectNode = { kind: "object"; id: number; instances: ObjectInstanceNode[] };
/** Anything a content format can carry; its kind always matches the level of the request path. */
export type LwM2mNode = ObjectNode | ObjectInstanceNode | ResourceNode | ResourceInstanceNode;

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;

/** Tells which resource type the model gives a resource, or undefined when it is not known. */
export type ResourceTypes = (objectId: number, resourceId: number) => ResourceType | undefined;

/** Throws CodecError `bad-value` when a value cannot be carried by any format (out of range, lone surrogate…). */
export function checkValue(v: ResourceValue): void {
  switch (v.type) {
    case "integer":
    case "time":
      if (v.value < INT64_MIN || v.value > INT64_MAX) throw new CodecError("bad-value", `${v.type} outside 64 bits`);
      return;
    case "unsigned":
      if (v.value < 0n || v.value > UINT64_MAX) throw new CodecError("bad-value", "unsigned outside 0..2^64-1");
      return;
    case "string":
      if (!v.value.isWellFormed()) throw new CodecError("bad-value", "string holds a lone surrogate");
      return;
    case "objlnk":
      for (const id of [v.value.objectId, v.value.instanceId]) {
        if (!Number.isInteger(id) || id < 0 || id > 65535)
          throw new CodecError("bad-value", "objlnk id outside 16 bits");
      }
      return;
    default:
      return;
  }
}

/** Formats an object link as `3:0`. */
export function formatObjectLink(link: ObjectLink): string {
  return `${link.objectId}:${link.instanceId}`;
}

/** Parses `3:0`; throws CodecError `bad-value` otherwise. */
export function parseObjectLink(text: string): ObjectLink {
  const match = /^(0|[1-9][0-9]{0,4}):(0|[1-9][0-9]{0,4})$/.exec(text);
  const objectId = Number(match?.[1]);
  const instanceId = Number(match?.[2]);
  if (!match || objectId > 65535 || instanceId > 65535) throw new CodecError("bad-value", "objlnk is not o:i");
  return { objectId, instanceId };
}
