import { describe, expect, it } from "vitest";
import { decode } from "../codec/codec.ts";
import { hex } from "../codec/testing.ts";
import { BUILT_IN_OBJECTS, createObjectRegistry, objectRegistry } from "./registry.ts";

describe("object registry", () => {
  it("ships the common OMA and IPSO objects", () => {
    expect(BUILT_IN_OBJECTS.map((o) => o.id).sort((a, b) => a - b)).toEqual([
      1, 3, 3300, 3303, 3304, 3311, 3312, 3341, 3342,
    ]);
  });

  it.each([
    [3, 0, "Manufacturer", "R", "string", false],
    [3, 4, "Reboot", "E", "none", false],
    [3, 6, "Available Power Sources", "R", "integer", true],
    [3, 13, "Current Time", "RW", "time", false],
    [1, 1, "Lifetime", "RW", "integer", false],
    [3303, 5700, "Sensor Value", "R", "float", false],
    [3311, 5850, "On/Off", "RW", "boolean", false],
    [3341, 5527, "Text", "RW", "string", false],
    [3342, 5500, "Digital Input State", "R", "boolean", false],
  ])("%i/%i is %s (%s, %s, multiple %s)", (objectId, resourceId, name, operations, type, multiple) => {
    expect(objectRegistry.resource(objectId, resourceId)).toMatchObject({ name, operations, type, multiple });
    expect(objectRegistry.resourceName(objectId, resourceId)).toBe(name);
  });

  it("every definition is well formed: unique resource ids, executables untyped, mandatory sensor value", () => {
    for (const object of BUILT_IN_OBJECTS) {
      const ids = object.resources.map((r) => r.id);
      expect(new Set(ids).size, object.name).toBe(ids.length);
      for (const r of object.resources) expect(r.operations === "E", `${object.id}/${r.id}`).toBe(r.type === "none");
      expect(object.urn).toMatch(/^urn:oma:lwm2m:(oma|ext):\d+(:\d+\.\d+)?$/);
    }
    expect(objectRegistry.resource(3304, 5700)?.mandatory).toBe(true);
    expect(objectRegistry.object(3)?.multiple).toBe(false);
  });

  it("unknown objects and resources get generic names and no type", () => {
    expect(objectRegistry.object(33000)).toBeUndefined();
    expect(objectRegistry.objectName(33000)).toBe("object-33000");
    expect(objectRegistry.resourceName(33000, 5700)).toBe("resource-5700");
    expect(objectRegistry.resourceName(3303, 9999)).toBe("resource-9999");
    expect(objectRegistry.types(33000, 5700)).toBeUndefined();
    expect(objectRegistry.types(3, 4)).toBeUndefined();
  });

  it("types drive the codec: the same TLV bytes read as a float with the model, as bytes without", () => {
    const bytes = hex("E4 16 44 41 B4 00 00");
    expect(decode(11542, bytes, "/3303/0/5700", objectRegistry.types)).toMatchObject({
      value: { type: "float", value: 22.5 },
    });
    expect(decode(11542, bytes, "/33000/0/5700", objectRegistry.types)).toMatchObject({ value: { type: "opaque" } });
  });

  it("extra definitions can be added or replace built-in ones", () => {
    const registry = createObjectRegistry([
      ...BUILT_IN_OBJECTS,
      {
        id: 33000,
        name: "Custom",
        urn: "urn:oma:lwm2m:x:33000",
        version: "1.0",
        multiple: true,
        mandatory: false,
        description: "",
        resources: [],
      },
    ]);
    expect(registry.objectName(33000)).toBe("Custom");
  });
});
