import { describe, expect, it } from "vitest";
import { thingDescription } from "../../../core/td.ts";
import { objectRegistry } from "../objects/index.ts";
import { affordanceName, parseThingId, resourceOfAffordance, thingDescriptionOf, thingIdOf } from "./thing-mapping.ts";

describe("Thing ids of object instances", () => {
  it("round-trip", () => {
    expect(parseThingId(thingIdOf("dev-1", 3303, 0))).toEqual({ endpoint: "dev-1", objectId: 3303, instanceId: 0 });
  });

  it.each(["dev-1", "dev-1/3303", "dev-1/3303/x", "dev-1/70000/0", "dev-1/3/65535", "/3/0"])("%s is not one", (id) => {
    expect(parseThingId(id)).toBeUndefined();
  });
});

describe("affordance names", () => {
  it.each([
    [3303, 5700, "sensor-value"],
    [3311, 5850, "on-off"],
    [3, 4, "reboot"],
    [3, 999, "resource-999"],
    [40000, 1, "resource-1"],
  ])("object %i resource %i is %s, and back", (objectId, resourceId, name) => {
    expect(affordanceName(objectRegistry, objectId, resourceId)).toBe(name);
    expect(resourceOfAffordance(objectRegistry, objectId, name)).toBe(resourceId);
  });

  it("an unknown name names no resource", () => {
    expect(resourceOfAffordance(objectRegistry, 3303, "colour")).toBeUndefined();
  });
});

describe("thingDescriptionOf", () => {
  it("describes a Temperature instance: readable resources as observable read-only properties, executables as actions", () => {
    const td = thingDescriptionOf({ endpoint: "dev-1", objectId: 3303, instanceId: 0 }, objectRegistry);
    expect(thingDescription.safeParse(td).success).toBe(true);
    expect(td).toMatchObject({
      id: "dev-1/3303/0",
      title: "Temperature 0 of dev-1",
      properties: {
        "sensor-value": { type: "number", readOnly: true, observable: true, "lwm2m:resource": 5700 },
        "application-type": { type: "string", readOnly: false },
      },
      actions: { "reset-min-and-max-measured-values": { "lwm2m:resource": 5605 } },
    });
  });

  it("keeps only the resources Discover listed, and multiple resources are objects by instance id", () => {
    const td = thingDescriptionOf(
      { endpoint: "d", objectId: 3, instanceId: 0, resourceIds: [0, 4, 11] },
      objectRegistry,
    );
    expect(Object.keys(td.properties ?? {})).toEqual(["manufacturer", "error-code"]);
    expect(td.properties?.["error-code"]).toMatchObject({ type: "object", additionalProperties: { type: "integer" } });
    expect(Object.keys(td.actions ?? {})).toEqual(["reboot"]);
  });

  it("gives an unknown object generic, untyped properties that can be read and written", () => {
    const td = thingDescriptionOf({ endpoint: "d", objectId: 40000, instanceId: 2, resourceIds: [1] }, objectRegistry);
    expect(thingDescription.safeParse(td).success).toBe(true);
    expect(td).toMatchObject({ title: "object-40000 2 of d", properties: { "resource-1": { readOnly: false } } });
  });
});
