/** OMA and IPSO object definitions and the lookup the CoAP binding uses to name and type resources. */
export {
  GENERIC_SENSOR,
  HUMIDITY,
  LIGHT_CONTROL,
  ON_OFF_SWITCH,
  POWER_CONTROL,
  TEMPERATURE,
  TEXT_DISPLAY,
} from "./ipso-objects.ts";
export { executable, type ObjectModel, type Operations, type ResourceModel, resource } from "./object-model.ts";
export { DEVICE, SERVER } from "./oma-objects.ts";
export { BUILT_IN_OBJECTS, createObjectRegistry, type ObjectRegistry, objectRegistry } from "./registry.ts";
