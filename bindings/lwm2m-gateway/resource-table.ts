/**
 * The LwM2M resources the gateway serves: its own Server (1) and Device (3) object instances, plus one resource per
 * exposure of the mapping. Pure: built from the resolved mapping, rebuilt whenever the mapping changes.
 */

import type { Lwm2mAccess, Lwm2mDataType, ResolvedExposure } from "../../core/lwm2m-gateway-mapping.ts";
import { formatPath, type LwM2mPath, pathOf, type ResourceTypes } from "../coap/codec/index.ts";

/** One resource: where it is, what the server may do with it, its type, and where its value comes from. */
export type GatewayResource = {
  path: LwM2mPath;
  access: Lwm2mAccess;
  type: Lwm2mDataType | "none";
  /** Exposed hub affordance; absent for the gateway's own resources. */
  exposure?: ResolvedExposure;
  /** The gateway's own resources: a fixed value, or `trigger` for Registration Update Trigger. */
  fixed?: unknown;
  trigger?: "registration-update";
};

export type ResourceTable = {
  resources: ReadonlyMap<string, GatewayResource>;
  /** The CoRE link list of object instances sent on Register and Update. */
  objectLinks: string;
  /** Resource types for the codec's decode. */
  types: ResourceTypes;
  /** Resources at or below a path (object, instance or resource), in path order. */
  under(path: LwM2mPath): GatewayResource[];
  /** Whether any resource lives at or below the path. */
  exists(path: LwM2mPath): boolean;
};

export type GatewayIdentity = { lifetimeSeconds: number; binding: string };

function own(ids: [number, number, number], access: Lwm2mAccess, type: Lwm2mDataType | "none", fixed?: unknown) {
  return { path: pathOf(ids), access, type, fixed } satisfies GatewayResource;
}

/** Builds the table; the mapping has been checked (no duplicate paths, no use of objects 0-3). */
export function buildResourceTable(exposures: readonly ResolvedExposure[], id: GatewayIdentity): ResourceTable {
  const list: GatewayResource[] = [
    own([1, 0, 0], "read", "integer", 1),
    own([1, 0, 1], "read", "integer", id.lifetimeSeconds),
    own([1, 0, 6], "read", "boolean", false),
    own([1, 0, 7], "read", "string", id.binding),
    { ...own([1, 0, 8], "execute", "none"), trigger: "registration-update" },
    own([3, 0, 0], "read", "string", "Spokes"),
    own([3, 0, 1], "read", "string", "LwM2M gateway"),
    own([3, 0, 16], "read", "string", id.binding),
    ...exposures.map((e) => ({
      path: pathOf([e.objectId, e.instanceId, e.resourceId]),
      access: e.access,
      type: e.type,
      exposure: e,
    })),
  ];
  list.sort((a, b) => compare(a.path, b.path));
  const resources = new Map(list.map((r) => [formatPath(r.path), r]));
  const instances = [...new Set(list.map((r) => `</${r.path.objectId}/${r.path.instanceId}>`))];
  const typeOf = new Map<string, Lwm2mDataType>();
  for (const r of list) {
    const key = `${r.path.objectId}/${r.path.resourceId}`;
    if (r.type !== "none" && !typeOf.has(key)) typeOf.set(key, r.type);
  }
  const under = (path: LwM2mPath) =>
    list.filter(
      (r) =>
        r.path.objectId === path.objectId &&
        (path.instanceId === undefined || r.path.instanceId === path.instanceId) &&
        (path.resourceId === undefined || r.path.resourceId === path.resourceId),
    );
  return {
    resources,
    objectLinks: instances.join(","),
    types: (objectId, resourceId) => typeOf.get(`${objectId}/${resourceId}`),
    under,
    exists: (path) => path.resourceInstanceId === undefined && under(path).length > 0,
  };
}

function compare(a: LwM2mPath, b: LwM2mPath): number {
  return (
    a.objectId - b.objectId || (a.instanceId ?? 0) - (b.instanceId ?? 0) || (a.resourceId ?? 0) - (b.resourceId ?? 0)
  );
}
