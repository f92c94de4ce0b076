import { CodecError } from "./codec-error.ts";
import { type LwM2mPath, pathIds, pathLevel, pathOf } from "./path.ts";
import type { LwM2mNode, MultipleResourceNode, ObjectInstanceNode, ResourceNode, ResourceValue } from "./values.ts";

/** One value at a full resource or resource-instance path: the unit the JSON and SenML formats carry. */
export type ValueRecord = { path: LwM2mPath; value: ResourceValue };

/** Flattens a node into records, outermost first, in node order. */
export function toRecords(node: LwM2mNode, path: LwM2mPath): ValueRecord[] {
  const [o, i, r] = pathIds(path);
  switch (node.kind) {
    case "object":
      return node.instances.flatMap((instance) => toRecords(instance, pathOf([node.id, instance.id])));
    case "object-instance":
      return node.resources.flatMap((resource) => toRecords(resource, pathOf([o ?? 0, node.id, resource.id])));
    case "single-resource":
      return [{ path: pathOf([o ?? 0, i ?? 0, node.id]), value: node.value }];
    case "multiple-resource":
      return node.instances.map((ri) => ({ path: pathOf([o ?? 0, i ?? 0, node.id, ri.id]), value: ri.value }));
    case "resource-instance":
      return [{ path: pathOf([o ?? 0, i ?? 0, r ?? 0, node.id]), value: node.value }];
  }
}

/**
 * Builds the node for `path` from records that must all lie at or below it, each naming a resource or a resource
 * instance. A resource named both whole and by instance, or twice, is CodecError `duplicate-id`.
 */
export function fromRecords(records: readonly ValueRecord[], path: LwM2mPath): LwM2mNode {
  const want = pathIds(path);
  const instances = new Map<number, Map<number, ResourceNode>>();
  for (const record of records) {
    const ids = pathIds(record.path);
    if (ids.length < 3) throw new CodecError("bad-path", "a value needs a resource or resource instance path");
    if (!want.every((id, index) => ids[index] === id)) {
      throw new CodecError("path-mismatch", "a value lies outside the request path");
    }
    const [, instanceId = 0, resourceId = 0, resourceInstanceId] = ids;
    const resources = instances.get(instanceId) ?? new Map<number, ResourceNode>();
    instances.set(instanceId, resources);
    const existing = resources.get(resourceId);
    if (resourceInstanceId === undefined) {
      if (existing) throw new CodecError("duplicate-id", `resource ${resourceId} appears twice`);
      resources.set(resourceId, { kind: "single-resource", id: resourceId, value: record.value });
      continue;
    }
    if (existing?.kind === "single-resource") throw new CodecError("duplicate-id", "resource is single and multiple");
    const multiple: MultipleResourceNode = existing ?? { kind: "multiple-resource", id: resourceId, instances: [] };
    if (multiple.instances.some((ri) => ri.id === resourceInstanceId)) {
      throw new CodecError("duplicate-id", `resource instance ${resourceInstanceId} appears twice`);
    }
    multiple.instances.push({ kind: "resource-instance", id: resourceInstanceId, value: record.value });
    resources.set(resourceId, multiple);
  }
  const instanceNode = (id: number): ObjectInstanceNode => ({
    kind: "object-instance",
    id,
    resources: [...(instances.get(id)?.values() ?? [])],
  });
  const only = (): ResourceNode => {
    const node = instances.get(path.instanceId ?? 0)?.get(path.resourceId ?? 0);
    if (!node) throw new CodecError("truncated", "payload holds no value for the request path");
    return node;
  };
  switch (pathLevel(path)) {
    case "object":
      return { kind: "object", id: path.objectId, instances: [...instances.keys()].map(instanceNode) };
    case "object-instance":
      return instanceNode(path.instanceId ?? 0);
    case "resource":
      return only();
    case "resource-instance": {
      const node = only();
      const [first] = node.kind === "multiple-resource" ? node.instances : [];
      if (!first) throw new CodecError("truncated", "payload holds no value for the request path");
      return first;
    }
  }
}
