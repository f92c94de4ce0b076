/** fast-check generators of LwM2M nodes for the codec's property tests; not part of the codec's API. */
import fc from "fast-check";
import { type LwM2mPath, pathOf } from "./path.ts";
import {
  INT64_MAX,
  INT64_MIN,
  type LwM2mNode,
  type ResourceNode,
  type ResourceType,
  type ResourceTypes,
  type ResourceValue,
  UINT64_MAX,
} from "./values.ts";

const TYPES: readonly ResourceType[] = [
  "string",
  "integer",
  "unsigned",
  "float",
  "boolean",
  "opaque",
  "time",
  "objlnk",
];

/** A fixed schema for generated nodes: a resource's type follows from its id. */
export const typeOfId = (resourceId: number): ResourceType => TYPES[resourceId % TYPES.length] ?? "string";
export const schemaTypes: ResourceTypes = (_objectId, resourceId) => typeOfId(resourceId);

/** Options: `finite` leaves out NaN and ±Infinity (JSON and text cannot carry them); `dense` forbids empty containers. */
export type Shape = { finite: boolean; dense: boolean };

export function anyValue(type: ResourceType, shape: Shape): fc.Arbitrary<ResourceValue> {
  const id = fc.integer({ min: 0, max: 65535 });
  const arbitraries: { [K in ResourceType]: fc.Arbitrary<ResourceValue["value"]> } = {
    string: fc.string({ unit: "binary" }).filter((s) => s.isWellFormed()),
    integer: fc.bigInt(INT64_MIN, INT64_MAX),
    unsigned: fc.bigInt(0n, UINT64_MAX),
    float: fc.double(shape.finite ? { noNaN: true, noDefaultInfinity: true } : {}),
    boolean: fc.boolean(),
    opaque: fc.uint8Array({ maxLength: 40 }),
    time: fc.bigInt(INT64_MIN, INT64_MAX),
    objlnk: fc.record({ objectId: id, instanceId: id }),
  };
  return arbitraries[type].map((value) => ({ type, value }) as ResourceValue);
}

function resourceOf(resourceId: number, shape: Shape): fc.Arbitrary<ResourceNode> {
  const value = anyValue(typeOfId(resourceId), shape);
  const single = value.map((v): ResourceNode => ({ kind: "single-resource", id: resourceId, value: v }));
  const instances = fc.uniqueArray(
    fc.record({ kind: fc.constant("resource-instance" as const), id: fc.integer({ min: 0, max: 65535 }), value }),
    { selector: (ri) => ri.id, minLength: shape.dense ? 1 : 0, maxLength: 4 },
  );
  const multiple = instances.map(
    (list): ResourceNode => ({ kind: "multiple-resource", id: resourceId, instances: list }),
  );
  return fc.oneof(single, multiple);
}

const resourceId = fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 65535 }));

function resources(shape: Shape, minLength: number): fc.Arbitrary<ResourceNode[]> {
  return fc
    .uniqueArray(resourceId, { minLength, maxLength: 5 })
    .chain((ids) => fc.tuple(...ids.map((id) => resourceOf(id, shape))));
}

/** A node and the path it belongs at, at any of the four levels. */
export function nodeAtPath(shape: Shape): fc.Arbitrary<{ node: LwM2mNode; path: LwM2mPath }> {
  const o = fc.integer({ min: 0, max: 65535 });
  const i = fc.integer({ min: 0, max: 65534 });
  const instance = (id: number, minLength: number) =>
    resources(shape, minLength).map((list) => ({ kind: "object-instance" as const, id, resources: list }));
  const objectLevel = fc.tuple(o, fc.uniqueArray(i, { maxLength: 3 })).chain(([objectId, ids]) =>
    fc.tuple(...ids.map((id) => instance(id, shape.dense ? 1 : 0))).map((list) => ({
      node: { kind: "object", id: objectId, instances: list } as LwM2mNode,
      path: pathOf([objectId]),
    })),
  );
  const instanceLevel = fc
    .tuple(o, i)
    .chain(([objectId, id]) =>
      instance(id, 0).map((node) => ({ node: node as LwM2mNode, path: pathOf([objectId, id]) })),
    );
  const resourceLevel = fc
    .tuple(o, i, resourceId)
    .chain(([objectId, id, r]) =>
      resourceOf(r, shape).map((node) => ({ node: node as LwM2mNode, path: pathOf([objectId, id, r]) })),
    )
    .filter(({ node }) => !shape.dense || node.kind !== "multiple-resource" || node.instances.length > 0);
  const instanceOfResource = fc
    .tuple(o, i, resourceId, fc.integer({ min: 0, max: 65535 }))
    .chain(([objectId, id, r, ri]) =>
      anyValue(typeOfId(r), shape).map((value) => ({
        node: { kind: "resource-instance", id: ri, value } as LwM2mNode,
        path: pathOf([objectId, id, r, ri]),
      })),
    );
  return fc.oneof(objectLevel, instanceLevel, resourceLevel, instanceOfResource);
}
