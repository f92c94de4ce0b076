/**
 * How LwM2M maps onto Things: each object instance of an endpoint is one Thing whose TD comes from the object
 * definition. Readable resources are properties (writable ones not read-only), executable resources are actions.
 * Property writes arrive as actions named `writeproperty:{name}`. Pure.
 */
import type { DataSchema, ThingDescription } from "../../../core/td.ts";
import type { ResourceType } from "../codec/index.ts";
import type { ObjectModel, ObjectRegistry, ResourceModel } from "../objects/index.ts";

/** The Thing id of an object instance: `{endpoint}/{objectId}/{instanceId}` (endpoint names hold no `/`). */
export function thingIdOf(endpoint: string, objectId: number, instanceId: number): string {
  return `${endpoint}/${objectId}/${instanceId}`;
}

/** The endpoint and instance a Thing id names, or undefined when it is not an LwM2M Thing id. */
export function parseThingId(thing: string): { endpoint: string; objectId: number; instanceId: number } | undefined {
  const m = /^([^/]+)\/(0|[1-9][0-9]{0,4})\/(0|[1-9][0-9]{0,4})$/.exec(thing);
  if (!m?.[1]) return undefined;
  const objectId = Number(m[2]);
  const instanceId = Number(m[3]);
  if (objectId > 65535 || instanceId > 65534) return undefined;
  return { endpoint: m[1], objectId, instanceId };
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** Names per object definition, worked out once: a notification's values are named without slugging again. */
const namesOfModel = new WeakMap<ObjectModel, ReadonlyMap<number, string>>();
const NO_NAMES: ReadonlyMap<number, string> = new Map();

/**
 * Affordance names of an object's resources: the registry name in kebab case (`sensor-value`), `resource-{id}`
 * for unknown resources, with `-{id}` appended when two names would collide.
 */
export function affordanceNames(registry: ObjectRegistry, objectId: number): ReadonlyMap<number, string> {
  const model = registry.object(objectId);
  if (!model) return NO_NAMES;
  const known = namesOfModel.get(model);
  if (known) return known;
  const names = new Map<number, string>();
  const used = new Set<string>();
  for (const r of model?.resources ?? []) {
    let name = slug(r.name) || `resource-${r.id}`;
    if (used.has(name)) name = `${name}-${r.id}`;
    used.add(name);
    names.set(r.id, name);
  }
  namesOfModel.set(model, names);
  return names;
}

/** The name of one resource's affordance. */
export function affordanceName(registry: ObjectRegistry, objectId: number, resourceId: number): string {
  return affordanceNames(registry, objectId).get(resourceId) ?? `resource-${resourceId}`;
}

/** The resource an affordance name stands for, or undefined. */
export function resourceOfAffordance(registry: ObjectRegistry, objectId: number, name: string): number | undefined {
  for (const [id, n] of affordanceNames(registry, objectId)) if (n === name) return id;
  const generic = /^resource-(0|[1-9][0-9]{0,4})$/.exec(name);
  const id = generic ? Number(generic[1]) : undefined;
  return id !== undefined && id <= 65535 ? id : undefined;
}

/** The JSON schema of one value of a resource type. */
export function schemaOfType(type: ResourceType | "none" | undefined): DataSchema {
  switch (type) {
    case "integer":
    case "unsigned":
      return { type: "integer" };
    case "time":
      return { type: "integer", unit: "s", description: "seconds since 1970-01-01T00:00:00Z" };
    case "float":
      return { type: "number" };
    case "boolean":
      return { type: "boolean" };
    case "opaque":
      return { type: "string", contentEncoding: "base64" };
    case "objlnk":
      return { type: "string", pattern: "^[0-9]+:[0-9]+$" };
    case "string":
      return { type: "string" };
    default:
      return {};
  }
}

function propertySchema(r: ResourceModel): DataSchema {
  const one: DataSchema = { ...schemaOfType(r.type) };
  if (r.units) one.unit = r.units;
  if (r.range) Object.assign(one, { minimum: r.range.min, maximum: r.range.max });
  if (!r.multiple) return one;
  return { type: "object", description: "values by resource instance id", additionalProperties: one };
}

export type InstanceDescription = {
  endpoint: string;
  objectId: number;
  instanceId: number;
  /** Object version the client announced, when it did. */
  version?: string;
  /** Resources the client said it has (Discover); all of the definition's when absent. */
  resourceIds?: readonly number[];
};

const TLV = "application/vnd.oma.lwm2m+tlv";

/** The TD of one object instance. */
export function thingDescriptionOf(d: InstanceDescription, registry: ObjectRegistry): ThingDescription {
  const model = registry.object(d.objectId);
  const names = affordanceNames(registry, d.objectId);
  const ids = d.resourceIds ?? model?.resources.map((r) => r.id) ?? [];
  const properties: Record<string, object> = {};
  const actions: Record<string, object> = {};
  for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
    const r = registry.resource(d.objectId, id);
    const name = names.get(id) ?? `resource-${id}`;
    const href = `/${d.objectId}/${d.instanceId}/${id}`;
    const common = { title: r?.name ?? `Resource ${id}`, "lwm2m:resource": id };
    if (r?.description) Object.assign(common, { description: r.description });
    if (r?.operations === "E") {
      actions[name] = {
        ...common,
        input: { type: "string", description: "execute arguments, e.g. 0='x',1" },
        forms: [{ href, op: "invokeaction" }],
      };
    } else if (r?.operations !== "") {
      const writable = r === undefined || r.operations === "W" || r.operations === "RW";
      const readable = r === undefined || r.operations.includes("R");
      const op = [
        ...(readable ? ["readproperty", "observeproperty", "unobserveproperty"] : []),
        ...(writable ? ["writeproperty"] : []),
      ];
      properties[name] = {
        ...common,
        ...(r ? propertySchema(r) : {}),
        readOnly: !writable,
        ...(readable ? {} : { writeOnly: true }),
        observable: readable,
        forms: [{ href, contentType: TLV, op }],
      };
    }
  }
  const objectName = registry.objectName(d.objectId);
  return {
    "@context": "https://www.w3.org/2022/wot/td/v1.1",
    id: thingIdOf(d.endpoint, d.objectId, d.instanceId),
    title: `${objectName} ${d.instanceId} of ${d.endpoint}`,
    ...(model?.description ? { description: model.description } : {}),
    "lwm2m:object": {
      id: d.objectId,
      instance: d.instanceId,
      endpoint: d.endpoint,
      ...(model ? { urn: model.urn } : {}),
      ...((d.version ?? model?.version) ? { version: d.version ?? model?.version } : {}),
    },
    properties,
    actions,
    securityDefinitions: { nosec_sc: { scheme: "nosec" } },
    security: "nosec_sc",
  } as ThingDescription;
}
