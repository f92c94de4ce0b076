import { describe, expect, it } from "vitest";
import { toHubValue, toResourceValue } from "./values.ts";

describe("hub values as LwM2M values", () => {
  it.each([
    [42, "integer", { type: "integer", value: 42n }],
    ["9007199254740993", "integer", { type: "integer", value: 9007199254740993n }],
    [21.5, "float", { type: "float", value: 21.5 }],
    [true, "boolean", { type: "boolean", value: true }],
    [{ a: 1 }, "string", { type: "string", value: '{"a":1}' }],
    ["2026-01-01T00:00:00Z", "time", { type: "time", value: 1767225600n }],
  ] as const)("%j as %s", (json, type, expected) => {
    expect(toResourceValue(json, type)).toEqual(expected);
  });

  it.each([
    ["abc", "integer"],
    [null, "float"],
    ["yes", "boolean"],
    ["not a time", "time"],
    [Number.NaN, "integer"],
  ] as const)("%j cannot be a %s", (json, type) => {
    expect(toResourceValue(json, type)).toBeUndefined();
  });

  it("big integers stay exact as strings, times become ISO strings", () => {
    expect(toHubValue({ type: "integer", value: 2n ** 62n })).toBe("4611686018427387904");
    expect(toHubValue({ type: "integer", value: -7n })).toBe(-7);
    expect(toHubValue({ type: "time", value: 1767225600n })).toBe("2026-01-01T00:00:00.000Z");
  });
});
