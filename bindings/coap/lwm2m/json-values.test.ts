import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../core/errors.ts";
import type { ResourceType, ResourceValue } from "../codec/index.ts";
import { jsonOfValue, resourceValuesOf, valueOfJson } from "./json-values.ts";

describe("LwM2M values as JSON", () => {
  it.each<[string, ResourceValue, unknown]>([
    ["a float", { type: "float", value: 21.5 }, 21.5],
    ["a safe integer", { type: "integer", value: 42n }, 42],
    ["a 64-bit integer (as text)", { type: "integer", value: 2n ** 62n }, "4611686018427387904"],
    ["a time", { type: "time", value: 1_700_000_000n }, 1_700_000_000],
    ["opaque bytes (base64)", { type: "opaque", value: new Uint8Array([1, 2, 3]) }, "AQID"],
    ["an object link", { type: "objlnk", value: { objectId: 3, instanceId: 0 } }, "3:0"],
    ["a boolean", { type: "boolean", value: true }, true],
  ])("%s", (_what, value, json) => {
    expect(jsonOfValue(value)).toEqual(json);
  });

  it("an instance gives one value per resource; a multiple resource an object by instance id", () => {
    const values = resourceValuesOf({
      kind: "object-instance",
      id: 0,
      resources: [
        { kind: "single-resource", id: 0, value: { type: "string", value: "ACME" } },
        {
          kind: "multiple-resource",
          id: 11,
          instances: [{ kind: "resource-instance", id: 0, value: { type: "integer", value: 0n } }],
        },
      ],
    });
    expect([...values]).toEqual([
      [0, "ACME"],
      [11, { "0": 0 }],
    ]);
  });
});

describe("JSON values written to a resource", () => {
  it.each<[ResourceType | undefined, unknown, ResourceValue]>([
    ["integer", 42, { type: "integer", value: 42n }],
    ["integer", "9007199254740993", { type: "integer", value: 9007199254740993n }],
    ["float", 1.5, { type: "float", value: 1.5 }],
    ["boolean", false, { type: "boolean", value: false }],
    ["opaque", "AQID", { type: "opaque", value: new Uint8Array([1, 2, 3]) }],
    ["objlnk", "3:0", { type: "objlnk", value: { objectId: 3, instanceId: 0 } }],
    [undefined, "text", { type: "string", value: "text" }],
    [undefined, 2, { type: "integer", value: 2n }],
  ])("as %s: %j", (type, json, value) => {
    expect(valueOfJson(json, type)).toEqual(value);
  });

  it.each<[ResourceType | undefined, unknown]>([
    ["integer", 1.5],
    ["integer", "twelve"],
    ["float", "1.5"],
    ["boolean", "true"],
    ["opaque", "not base64!"],
    ["objlnk", "3-0"],
    [undefined, { a: 1 }],
  ])("refuses %s from %j", (type, json) => {
    expect(() => valueOfJson(json, type)).toThrow(ValidationError);
  });
});
