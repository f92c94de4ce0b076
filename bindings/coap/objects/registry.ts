import type { ResourceTypes } from "../codec/values.ts";
import {
  GENERIC_SENSOR,
  HUMIDITY,
  LIGHT_CONTROL,
  ON_OFF_SWITCH,
  POWER_CONTROL,
  TEMPERATURE,
  TEXT_DISPLAY,
} from "./ipso-objects.ts";
import type { ObjectModel, ResourceModel } from "./object-model.ts";
import { DEVICE, SERVER } from "./oma-objects.ts";

/** The objects Spokes ships definitions for. */
export const BUILT_IN_OBJECTS: readonly ObjectModel[] = [
  SERVER,
  DEVICE,
  GENERIC_SENSOR,
  TEMPERATURE,
  HUMIDITY,
  LIGHT_CONTROL,
  POWER_CONTROL,
  TEXT_DISPLAY,
  ON_OFF_SWITCH,
];

/** Looks up object and resource definitions; unknown ones get generic names so they still work. */
export type ObjectRegistry = {
  /** The definition, or undefined for an object nobody described. */
  object(objectId: number): ObjectModel | undefined;
  /** The definition, or undefined when the object or the resource is unknown. */
  resource(objectId: number, resourceId: number): ResourceModel | undefined;
  /** The registry name, or `object-{id}`. */
  objectName(objectId: number): string;
  /** The registry name, or `resource-{id}`. */
  resourceName(objectId: number, resourceId: number): string;
  /** Resource types for the codec's decode; unknown resources give undefined (the codec then keeps raw values). */
  types: ResourceTypes;
};

/** Builds a registry from definitions; later ones replace earlier ones with the same id. */
export function createObjectRegistry(models: readonly ObjectModel[] = BUILT_IN_OBJECTS): ObjectRegistry {
  const objects = new Map(models.map((m) => [m.id, m]));
  const resources = new Map(models.map((m) => [m.id, new Map(m.resources.map((r) => [r.id, r]))]));
  const find = (objectId: number, resourceId: number) => resources.get(objectId)?.get(resourceId);
  return {
    object: (objectId) => objects.get(objectId),
    resource: find,
    objectName: (objectId) => objects.get(objectId)?.name ?? `object-${objectId}`,
    resourceName: (objectId, resourceId) => find(objectId, resourceId)?.name ?? `resource-${resourceId}`,
    types: (objectId, resourceId) => {
      const type = find(objectId, resourceId)?.type;
      return type === "none" ? undefined : type;
    },
  };
}

/** The registry of built-in objects. */
export const objectRegistry: ObjectRegistry = createObjectRegistry();
