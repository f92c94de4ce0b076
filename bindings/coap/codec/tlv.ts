import { concat } from "./bytes.ts";
import { CodecError } from "./codec-error.ts";
import { checkNodeAtPath, unique } from "./node-check.ts";
import { type LwM2mPath, pathLevel } from "./path.ts";
import { readTlv, type TlvEntry, writeTlv } from "./tlv-frame.ts";
import { decodeTlvValue, encodeTlvValue } from "./tlv-values.ts";
import type {
  LwM2mNode,
  ObjectInstanceNode,
  ResourceInstanceNode,
  ResourceNode,
  ResourceTypes,
  ResourceValue,
} from "./values.ts";

/**
 * Decodes TLV (11542, or legacy 1542) for a request path. TLV carries no types: with `types` each value is read
 * as its model type; without, or for resources the model does not know, values stay `opaque` bytes, which the
 * caller can reinterpret once it knows the type. At an object-instance path the resources may come bare or in
 * one object-instance wrapper; at a resource path a multiple resource may come wrapped or as bare instances.
 */
export function decodeTlv(bytes: Uint8Array, path: LwM2mPath, types?: ResourceTypes): LwM2mNode {
  const entries = readTlv(bytes);
  const typeOf = (resourceId: number) => types?.(path.objectId, resourceId) ?? "opaque";
  switch (pathLevel(path)) {
    case "object":
      for (const e of entries) expectKind(e, ["object-instance"]);
      unique(
        entries.map((e) => e.id),
        65534,
      );
      return { kind: "object", id: path.objectId, instances: entries.map((e) => instanceOf(e.id, readTlv(e.value))) };
    case "object-instance": {
      const [first] = entries;
      if (entries.length === 1 && first?.kind === "object-instance") {
        sameId(first, path.instanceId);
        return instanceOf(first.id, readTlv(first.value));
      }
      return instanceOf(path.instanceId ?? 0, entries);
    }
    case "resource": {
      const id = path.resourceId ?? 0;
      const [first] = entries;
      if (!first) throw new CodecError("truncated", "payload holds no resource");
      if (first.kind === "resource-instance") return multiple(id, entries, typeOf(id));
      if (entries.length > 1) throw new CodecError("bad-type", "more than one resource at a resource path");
      sameId(first, id);
      return resourceOf(first);
    }
    case "resource-instance": {
      const [first] = entries;
      if (!first || entries.length > 1) throw new CodecError("bad-type", "a resource instance path takes one entry");
      expectKind(first, ["resource-instance"]);
      sameId(first, path.resourceInstanceId);
      return {
        kind: "resource-instance",
        id: first.id,
        value: decodeTlvValue(first.value, typeOf(path.resourceId ?? 0)),
      };
    }
  }

  function instanceOf(id: number, children: TlvEntry[]): ObjectInstanceNode {
    unique(
      children.map((e) => e.id),
      65535,
    );
    return { kind: "object-instance", id, resources: children.map(resourceOf) };
  }

  function resourceOf(entry: TlvEntry): ResourceNode {
    expectKind(entry, ["resource", "multiple-resource"]);
    const type = typeOf(entry.id);
    if (entry.kind === "resource")
      return { kind: "single-resource", id: entry.id, value: decodeTlvValue(entry.value, type) };
    return multiple(entry.id, readTlv(entry.value), type);
  }
}

function multiple(id: number, children: TlvEntry[], type: ResourceValue["type"]): ResourceNode {
  for (const child of children) expectKind(child, ["resource-instance"]);
  unique(
    children.map((e) => e.id),
    65535,
  );
  const instances = children.map(
    (e): ResourceInstanceNode => ({ kind: "resource-instance", id: e.id, value: decodeTlvValue(e.value, type) }),
  );
  return { kind: "multiple-resource", id, instances };
}

function expectKind(entry: TlvEntry, kinds: readonly TlvEntry["kind"][]): void {
  if (!kinds.includes(entry.kind)) throw new CodecError("bad-type", `unexpected ${entry.kind} TLV here`);
}

function sameId(entry: TlvEntry, id: number | undefined): void {
  if (entry.id !== id) throw new CodecError("path-mismatch", "TLV id differs from the request path");
}

/**
 * Encodes a node as TLV. Integers take the fewest bytes, floats 4 bytes only when exact. An object instance at
 * its own path is written as bare resources; instances inside an object are wrapped.
 */
export function encodeTlv(node: LwM2mNode, path: LwM2mPath): Uint8Array {
  checkNodeAtPath(node, path);
  return encodeNode(node);
}

function encodeNode(node: LwM2mNode): Uint8Array {
  switch (node.kind) {
    case "object":
      return concat(node.instances.map((i) => writeTlv("object-instance", i.id, encodeNode(i))));
    case "object-instance":
      return concat(node.resources.map(encodeNode));
    case "single-resource":
      return writeTlv("resource", node.id, encodeTlvValue(node.value));
    case "multiple-resource":
      return writeTlv("multiple-resource", node.id, concat(node.instances.map(encodeNode)));
    case "resource-instance":
      return writeTlv("resource-instance", node.id, encodeTlvValue(node.value));
  }
}
