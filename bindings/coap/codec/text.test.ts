import { describe, expect, it } from "vitest";
import { decode, encode } from "./codec.ts";
import { codecErrorOf, typesOf } from "./testing.ts";
import type { LwM2mNode, ResourceType, ResourceValue } from "./values.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const single = (value: ResourceValue) => ({ kind: "single-resource", id: 1, value }) as const;

describe("text/plain (0)", () => {
  it.each<[ResourceType, string, ResourceValue["value"]]>([
    ["string", "héllo", "héllo"],
    ["integer", "-9223372036854775808", -(2n ** 63n)],
    ["unsigned", "18446744073709551615", 2n ** 64n - 1n],
    ["float", "22.5", 22.5],
    ["float", "1e+21", 1e21],
    ["float", "-0", -0],
    ["boolean", "1", true],
    ["time", "1700000000", 1700000000n],
    ["objlnk", "3:0", { objectId: 3, instanceId: 0 }],
    ["opaque", "AAEC", Uint8Array.of(0, 1, 2)],
  ])("%s %j", (type, written, value) => {
    const node = single({ type, value } as ResourceValue);
    expect(text(encode(0, node, "/9/0/1"))).toBe(written);
    expect(decode(0, utf8(written), "/9/0/1", typesOf({ 1: type }))).toEqual(node);
  });

  it("reads a resource instance, and a string when no model says otherwise", () => {
    expect(decode(0, utf8("42"), "/9/0/1/3")).toEqual({
      kind: "resource-instance",
      id: 3,
      value: { type: "string", value: "42" },
    });
  });

  it.each<[string, ResourceType | undefined, string | Uint8Array, string]>([
    ["integer with a fraction", "integer", "1.5", "bad-value"],
    ["integer past 64 bits", "integer", "9223372036854775808", "bad-value"],
    ["negative unsigned", "unsigned", "-1", "bad-value"],
    ["float that is not a number", "float", "abc", "bad-value"],
    ["float NaN", "float", "NaN", "bad-value"],
    ["boolean other than 0/1", "boolean", "true", "bad-value"],
    ["objlnk without colon", "objlnk", "3", "bad-value"],
    ["objlnk out of range", "objlnk", "65536:0", "bad-value"],
    ["opaque not base64", "opaque", "!!", "bad-value"],
    ["invalid UTF-8", "string", Uint8Array.of(0xff), "bad-utf8"],
    ["a whole instance", undefined, "x", "bad-type"],
  ])("refuses %s", (_, type, payload, code) => {
    const path = type === undefined ? "/9/0" : "/9/0/1";
    const bytes = typeof payload === "string" ? utf8(payload) : payload;
    expect(codecErrorOf(() => decode(0, bytes, path, typesOf(type ? { 1: type } : {}))).code).toBe(code);
  });

  it("refuses to write NaN or a multiple resource as text", () => {
    expect(codecErrorOf(() => encode(0, single({ type: "float", value: Number.NaN }), "/9/0/1")).code).toBe(
      "bad-value",
    );
    const multiple: LwM2mNode = { kind: "multiple-resource", id: 1, instances: [] };
    expect(codecErrorOf(() => encode(0, multiple, "/9/0/1")).code).toBe("bad-type");
  });
});

describe("opaque (42)", () => {
  it("carries the bytes as they are", () => {
    const node = single({ type: "opaque", value: Uint8Array.of(1, 2, 3) });
    expect(encode(42, node, "/9/0/1")).toEqual(Uint8Array.of(1, 2, 3));
    expect(decode(42, Uint8Array.of(1, 2, 3), "/9/0/1")).toEqual(node);
  });

  it("refuses other types and whole instances", () => {
    expect(codecErrorOf(() => encode(42, single({ type: "string", value: "x" }), "/9/0/1")).code).toBe("bad-type");
    expect(codecErrorOf(() => decode(42, Uint8Array.of(1), "/9/0")).code).toBe("bad-type");
  });
});

describe("content formats", () => {
  it.each([50, 60, 11544, -1, 1.5])("format %s is unsupported-format", (format) => {
    expect(codecErrorOf(() => decode(format, Uint8Array.of(), "/9/0/1")).code).toBe("unsupported-format");
    expect(codecErrorOf(() => encode(format, single({ type: "string", value: "" }), "/9/0/1")).code).toBe(
      "unsupported-format",
    );
  });

  it("legacy numbers are decoded but never encoded", () => {
    expect(codecErrorOf(() => encode(1543, single({ type: "string", value: "" }), "/9/0/1")).code).toBe(
      "unsupported-format",
    );
    expect(codecErrorOf(() => encode(1542, single({ type: "string", value: "" }), "/9/0/1")).code).toBe(
      "unsupported-format",
    );
  });

  it("a bad path string is bad-path", () => {
    expect(codecErrorOf(() => decode(0, Uint8Array.of(), "3/0/1")).code).toBe("bad-path");
  });
});
