import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.ts";
import { type Exposure, parseGatewayMapping, resolveMapping } from "./lwm2m-gateway-mapping.ts";

const resolve = (exposures: Exposure[], firstObjectId = 26241) => resolveMapping({ firstObjectId, exposures });

describe("resolving an LwM2M gateway mapping", () => {
  it("Given no placement, Then each Thing gets its own object and each affordance an instance and a typed resource", () => {
    const out = resolve([
      { thing: "lamp", kind: "property", name: "on", type: "boolean", access: "readwrite" },
      { thing: "lamp", kind: "action", name: "blink" },
      { thing: "sensor", kind: "event", name: "overheated" },
    ]);
    expect(out).toEqual([
      {
        thing: "lamp",
        kind: "property",
        name: "on",
        objectId: 26241,
        instanceId: 0,
        resourceId: 4,
        access: "readwrite",
        type: "boolean",
      },
      {
        thing: "lamp",
        kind: "action",
        name: "blink",
        objectId: 26241,
        instanceId: 1,
        resourceId: 7,
        access: "execute",
        type: "none",
      },
      {
        thing: "sensor",
        kind: "event",
        name: "overheated",
        objectId: 26242,
        instanceId: 0,
        resourceId: 1,
        access: "read",
        type: "string",
      },
    ]);
  });

  it("Given explicit ids, Then they are kept and defaults continue after them", () => {
    const out = resolve([
      { thing: "t", kind: "property", name: "a", objectId: 3303, instanceId: 4, resourceId: 5700, type: "float" },
      { thing: "t", kind: "property", name: "b", objectId: 3303 },
    ]);
    expect(out.map((e) => [e.objectId, e.instanceId, e.resourceId])).toEqual([
      [3303, 4, 5700],
      [3303, 5, 1],
    ]);
  });

  it.each<[string, Exposure[]]>([
    [
      "two exposures on one path",
      [
        { thing: "t", kind: "property", name: "a", objectId: 30000, instanceId: 0 },
        { thing: "u", kind: "property", name: "b", objectId: 30000, instanceId: 0 },
      ],
    ],
    ["the gateway's own Device object", [{ thing: "t", kind: "property", name: "a", objectId: 3 }]],
    ["an executable property", [{ thing: "t", kind: "property", name: "a", access: "execute" }]],
    ["a writable event", [{ thing: "t", kind: "event", name: "a", access: "readwrite" }]],
    ["a readable action", [{ thing: "t", kind: "action", name: "a", access: "read" }]],
  ])("refuses %s", (_, exposures) => {
    expect(() => resolve(exposures)).toThrow(ValidationError);
  });

  it.each([
    ["an unknown field", { exposures: [{ thing: "t", kind: "property", name: "a", colour: "red" }] }],
    ["an unknown data type", { exposures: [{ thing: "t", kind: "property", name: "a", type: "decimal" }] }],
    ["an object id beyond 16 bits", { exposures: [{ thing: "t", kind: "property", name: "a", objectId: 70000 }] }],
    ["the reserved instance 65535", { exposures: [{ thing: "t", kind: "property", name: "a", instanceId: 65535 }] }],
    ["no list", { exposures: "all" }],
  ])("a document with %s is refused with issues", (_, doc) => {
    expect(() => parseGatewayMapping(doc)).toThrow(ValidationError);
  });

  it("an empty document is an empty mapping with the default first object id", () => {
    expect(parseGatewayMapping({})).toEqual({ firstObjectId: 26241, exposures: [] });
  });
});
