import { describe, expect, it } from "vitest";
import type { DataSchema } from "../core/td.ts";
import { checkValue } from "./data-schema.ts";

const onOff: DataSchema = {
  type: "object",
  required: ["on"],
  properties: { on: { type: "boolean" }, level: { type: "integer", minimum: 0, maximum: 100 } },
};

describe("checkValue", () => {
  it.each<[string, DataSchema, unknown]>([
    ["any value without a schema type", {}, { x: 1 }],
    ["an integer as a number", { type: "number" }, 3],
    ["a fraction as a number", { type: "number", minimum: 0, maximum: 1 }, 0.5],
    ["null", { type: "null" }, null],
    ["an enum member", { type: "string", enum: ["low", "high"] }, "high"],
    ["a structural enum member", { enum: [{ a: [1, 2] }] }, { a: [1, 2] }],
    ["an object with its required members", onOff, { on: true, level: 100 }],
    ["unknown members", onOff, { on: false, extra: "kept" }],
    ["an array of items", { type: "array", items: { type: "integer" } }, [1, 2, 3]],
    ["a tuple", { type: "array", items: [{ type: "string" }, { type: "number" }] }, ["a", 1]],
    ["one of", { oneOf: [{ type: "string" }, { type: "integer" }] }, 4],
  ])("accepts %s", (_what, schema, value) => {
    expect(checkValue(schema, value)).toEqual([]);
  });

  it.each<[string, DataSchema, unknown, string[]]>([
    ["a string for a number", { type: "number" }, "3", ["(root): must be number, not string"]],
    ["a fraction for an integer", { type: "integer" }, 1.5, ["(root): must be integer, not number"]],
    ["an array for an object", { type: "object" }, [], ["(root): must be object, not array"]],
    ["null for a string", { type: "string" }, null, ["(root): must be string, not null"]],
    ["a missing value", { type: "boolean" }, undefined, ["(root): must be boolean, not undefined"]],
    ["a value outside the enum", { enum: ["a", "b"] }, "c", ['(root): must be one of "a", "b"']],
    ["a value below the minimum", { type: "number", minimum: 5 }, 4, ["(root): must be at least 5"]],
    ["a value above the maximum", { type: "number", maximum: 5 }, 6, ["(root): must be at most 5"]],
    ["a missing required member", onOff, { level: 1 }, ["(root).on: is required"]],
    [
      "nested problems, all of them",
      onOff,
      { on: 1, level: 101 },
      ["(root).on: must be boolean, not integer", "(root).level: must be at most 100"],
    ],
    ["a bad item", { type: "array", items: { type: "integer" } }, [1, "2"], ["(root).1: must be integer, not string"]],
    ["no oneOf match", { oneOf: [{ type: "string" }] }, 1, ["(root): must match exactly one schema of oneOf (0 do)"]],
    [
      "two oneOf matches",
      { oneOf: [{ type: "number" }, { type: "integer" }] },
      1,
      ["(root): must match exactly one schema of oneOf (2 do)"],
    ],
  ])("rejects %s", (_what, schema, value, expected) => {
    expect(checkValue(schema, value).map((i) => `${i.path}: ${i.message}`)).toEqual(expected);
  });

  it("names paths below the given root", () => {
    expect(checkValue(onOff, {}, "input")).toEqual([{ path: "input.on", message: "is required" }]);
  });
});
