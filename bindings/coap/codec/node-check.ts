import { CodecError } from "./codec-error.ts";
import { type LwM2mPath, pathLevel } from "./path.ts";
import { checkValue, type LwM2mNode, type ResourceNode } from "./values.ts";

/**
 * Checks before encoding that a node fits its path (same level, same ids), that ids are in range and unique
 * among siblings, and that every value is representable; throws CodecError otherwise.
 */
export function checkNodeAtPath(node: LwM2mNode, path: LwM2mPath): void {
  const level = pathLevel(path);
  const expected = {
    object: "object",
    "object-instance": "object-instance",
    resource: node.kind === "multiple-resource" ? "multiple-resource" : "single-resource",
    "resource-instance": "resource-instance",
  }[level];
  if (node.kind !== expected) throw new CodecError("path-mismatch", `a ${node.kind} cannot be sent to a ${level}`);
  const lastId = [path.resourceInstanceId, path.resourceId, path.instanceId, path.objectId].find(
    (x) => x !== undefined,
  );
  if (node.id !== lastId) throw new CodecError("path-mismatch", "node id differs from the path");
  checkNode(node);
}

function checkNode(node: LwM2mNode): void {
  switch (node.kind) {
    case "object":
      unique(
        node.instances.map((i) => i.id),
        65534,
      );
      for (const instance of node.instances) checkNode(instance);
      return;
    case "object-instance":
      unique(
        node.resources.map((r) => r.id),
        65535,
      );
      for (const resource of node.resources) checkResource(resource);
      return;
    case "single-resource":
    case "multiple-resource":
      checkResource(node);
      return;
    case "resource-instance":
      checkValue(node.value);
      return;
  }
}

function checkResource(resource: ResourceNode): void {
  if (resource.kind === "single-resource") {
    checkValue(resource.value);
    return;
  }
  unique(
    resource.instances.map((i) => i.id),
    65535,
  );
  for (const instance of resource.instances) checkValue(instance.value);
}

/** Throws when an id is out of 0..max or appears twice. */
export function unique(ids: readonly number[], max: number): void {
  const seen = new Set<number>();
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id > max) throw new CodecError("bad-value", `id outside 0..${max}`);
    if (seen.has(id)) throw new CodecError("duplicate-id", `id ${id} appears twice`);
    seen.add(id);
  }
}
