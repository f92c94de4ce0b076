import { describe, expect, it } from "vitest";
import { objectRegistry } from "../objects/registry.ts";
import { decode, encode } from "./codec.ts";
import { codecErrorOf, hex, toHex, typesOf, utf8Hex } from "./testing.ts";
import type { LwM2mNode, ResourceType, ResourceValue } from "./values.ts";

const TLV = 11542;
const types = objectRegistry.types;

/** Device 3/0 as a client would answer a Read, built by hand from the TLV rules (LwM2M 1.0 TS §6.4.3). */
const DEVICE_BYTES = [
  `C8 00 14 ${utf8Hex("Open Mobile Alliance")}`, // resource 0, 8-bit id, 8-bit length 20
  "86 06 41 00 01 41 01 05", // multiple resource 6 (6 bytes): instances 0 → 1, 1 → 5
  "88 07 08 42 00 0E D8 42 01 13 88", // multiple resource 7 (8 bytes): 3800 mV, 5000 mV in 2-byte integers
  "C1 09 64", // resource 9 battery level 100: length 1 in the type byte
  "C4 0D 51 82 42 8F", // resource 13 current time, 4-byte time
  "C8 15 08 00 00 01 00 00 00 00 00", // resource 21 memory total 2^40: 8-byte integer, 8-bit length
].join(" ");

const DEVICE_NODE: LwM2mNode = {
  kind: "object-instance",
  id: 0,
  resources: [
    { kind: "single-resource", id: 0, value: { type: "string", value: "Open Mobile Alliance" } },
    {
      kind: "multiple-resource",
      id: 6,
      instances: [
        { kind: "resource-instance", id: 0, value: { type: "integer", value: 1n } },
        { kind: "resource-instance", id: 1, value: { type: "integer", value: 5n } },
      ],
    },
    {
      kind: "multiple-resource",
      id: 7,
      instances: [
        { kind: "resource-instance", id: 0, value: { type: "integer", value: 3800n } },
        { kind: "resource-instance", id: 1, value: { type: "integer", value: 5000n } },
      ],
    },
    { kind: "single-resource", id: 9, value: { type: "integer", value: 100n } },
    { kind: "single-resource", id: 13, value: { type: "time", value: 0x5182428fn } },
    { kind: "single-resource", id: 21, value: { type: "integer", value: 2n ** 40n } },
  ],
};

describe("TLV known vectors", () => {
  it("3303/0/5700 = 22.5 is a 16-bit id and an exact 4-byte float", () => {
    const node: LwM2mNode = { kind: "single-resource", id: 5700, value: { type: "float", value: 22.5 } };
    expect(toHex(encode(TLV, node, "/3303/0/5700"))).toBe("E4 16 44 41 B4 00 00");
    expect(decode(TLV, hex("E4 16 44 41 B4 00 00"), "/3303/0/5700", types)).toEqual(node);
  });

  it("the device object instance encodes and decodes with the model", () => {
    expect(toHex(encode(TLV, DEVICE_NODE, "/3/0"))).toBe(toHex(hex(DEVICE_BYTES)));
    expect(decode(TLV, hex(DEVICE_BYTES), "/3/0", types)).toEqual(DEVICE_NODE);
  });

  it("an object instance may come wrapped in its object-instance TLV, and legacy 1542 is accepted", () => {
    const inner = hex(DEVICE_BYTES);
    const wrapped = hex(`08 00 ${inner.length.toString(16).padStart(2, "0")} ${DEVICE_BYTES}`);
    expect(decode(1542, wrapped, "/3/0", types)).toEqual(DEVICE_NODE);
  });

  it("an object wraps each instance", () => {
    const node: LwM2mNode = {
      kind: "object",
      id: 3303,
      instances: [
        {
          kind: "object-instance",
          id: 0,
          resources: [{ kind: "single-resource", id: 5700, value: { type: "float", value: 22.5 } }],
        },
        {
          kind: "object-instance",
          id: 1,
          resources: [{ kind: "single-resource", id: 5700, value: { type: "float", value: 0.1 } }],
        },
      ],
    };
    const bytes = "07 00 E4 16 44 41 B4 00 00 08 01 0C E8 16 44 08 3F B9 99 99 99 99 99 9A";
    expect(toHex(encode(TLV, node, "/3303"))).toBe(bytes);
    expect(decode(TLV, hex(bytes), "/3303", types)).toEqual(node);
  });

  it("a multiple resource reads wrapped or as bare instances; one instance reads alone", () => {
    const multiple = decode(TLV, hex("86 06 41 00 01 41 01 05"), "/3/0/6", types);
    expect(decode(TLV, hex("41 00 01 41 01 05"), "/3/0/6", types)).toEqual(multiple);
    expect(decode(TLV, hex("41 01 05"), "/3/0/6/1", types)).toEqual({
      kind: "resource-instance",
      id: 1,
      value: { type: "integer", value: 5n },
    });
  });

  it.each<[string, ResourceType, string, ResourceValue["value"]]>([
    ["1-byte integer", "integer", "C1 05 7F", 127n],
    ["1-byte negative", "integer", "C1 05 FF", -1n],
    ["2-byte integer", "integer", "C2 05 00 80", 128n],
    ["2-byte negative", "integer", "C2 05 FF 7F", -129n],
    ["4-byte integer", "integer", "C4 05 00 00 80 00", 32768n],
    ["4-byte minimum", "integer", "C4 05 80 00 00 00", -(2n ** 31n)],
    ["8-byte integer", "integer", "C8 05 08 00 00 00 00 80 00 00 00", 2n ** 31n],
    ["8-byte maximum", "integer", "C8 05 08 7F FF FF FF FF FF FF FF", 2n ** 63n - 1n],
    ["8-byte minimum", "integer", "C8 05 08 80 00 00 00 00 00 00 00", -(2n ** 63n)],
    ["1-byte unsigned 255", "unsigned", "C1 05 FF", 255n],
    ["8-byte unsigned maximum", "unsigned", "C8 05 08 FF FF FF FF FF FF FF FF", 2n ** 64n - 1n],
    ["8-byte float when float32 is not exact", "float", "C8 05 08 3F B9 99 99 99 99 99 9A", 0.1],
    ["4-byte float", "float", "C4 05 C1 B4 00 00", -22.5],
    ["boolean true", "boolean", "C1 05 01", true],
    ["boolean false", "boolean", "C1 05 00", false],
    ["objlnk", "objlnk", "C4 05 00 03 00 01", { objectId: 3, instanceId: 1 }],
    ["null objlnk", "objlnk", "C4 05 FF FF FF FF", { objectId: 65535, instanceId: 65535 }],
    ["empty string", "string", "C0 05", ""],
    ["UTF-8 string", "string", `C6 05 ${utf8Hex("é💡")}`, "é💡"],
    ["opaque", "opaque", "C3 05 00 FF 10", Uint8Array.of(0, 255, 16)],
    ["time", "time", "C4 05 65 53 F1 00", 1700000000n],
  ])("%s: encodes to the smallest form and decodes back", (_, type, bytes, value) => {
    const node = { kind: "single-resource", id: 5, value: { type, value } } as LwM2mNode;
    expect(toHex(encode(TLV, node, "/9/0/5"))).toBe(bytes);
    expect(decode(TLV, hex(bytes), "/9/0/5", typesOf({ 5: type }))).toEqual(node);
  });

  it.each([
    ["2-byte integer holding a small value", "C2 05 00 2A", 42n],
    ["4-byte integer holding a small value", "C4 05 FF FF FF FE", -2n],
    ["8-byte integer holding a small value", "C8 05 08 00 00 00 00 00 00 00 07", 7n],
    ["8-bit length for a short value", "C8 05 01 2A", 42n],
    ["16-bit length for a short value", "D0 05 00 01 2A", 42n],
    ["24-bit length for a short value", "D8 05 00 00 01 2A", 42n],
    ["16-bit id for a small id", "E1 00 05 2A", 42n],
  ])("decodes non-minimal forms: %s", (_, bytes, value) => {
    expect(decode(TLV, hex(bytes), "/9/0/5", typesOf({ 5: "integer" }))).toEqual({
      kind: "single-resource",
      id: 5,
      value: { type: "integer", value },
    });
  });

  it("uses 16- and 24-bit lengths when a value needs them", () => {
    const big = (n: number): LwM2mNode => ({
      kind: "single-resource",
      id: 1,
      value: { type: "opaque", value: new Uint8Array(n) },
    });
    expect(toHex(encode(TLV, big(300), "/9/0/1").subarray(0, 4))).toBe("D0 01 01 2C");
    expect(toHex(encode(TLV, big(70000), "/9/0/1").subarray(0, 5))).toBe("D8 01 01 11 70");
    expect(decode(TLV, encode(TLV, big(70000), "/9/0/1"), "/9/0/1")).toEqual(big(70000));
  });

  it("without a model, values stay opaque bytes for the caller to type later", () => {
    expect(decode(TLV, hex("C1 09 64"), "/3/0/9")).toEqual({
      kind: "single-resource",
      id: 9,
      value: { type: "opaque", value: Uint8Array.of(100) },
    });
  });
});

describe("TLV bad input", () => {
  const integer = typesOf({ 1: "integer", 2: "float", 3: "boolean", 4: "objlnk", 5: "string", 6: "integer" });
  it.each([
    ["empty payload at a resource path", "", "/9/0/1", "truncated"],
    ["type byte only", "C1", "/9/0/1", "truncated"],
    ["16-bit id cut short", "E1 16", "/9/0/1", "truncated"],
    ["8-bit length missing", "C8 01", "/9/0/1", "truncated"],
    ["24-bit length cut short", "D8 01 00 01", "/9/0/1", "truncated"],
    ["length past the end", "C4 01 00 01", "/9/0/1", "truncated"],
    ["8-bit length past the end", "C8 01 09 00 00", "/9/0/1", "truncated"],
    ["nested length past its parent", "86 06 41 00", "/9/0/6", "truncated"],
    ["3-byte integer", "C3 01 00 00 01", "/9/0/1", "bad-length"],
    ["empty integer", "C0 01", "/9/0/1", "bad-length"],
    ["5-byte float", "C5 02 00 00 00 00 00", "/9/0/2", "bad-length"],
    ["2-byte boolean", "C2 03 00 01", "/9/0/3", "bad-length"],
    ["boolean 2", "C1 03 02", "/9/0/3", "bad-value"],
    ["3-byte objlnk", "C3 04 00 03 00", "/9/0/4", "bad-length"],
    ["invalid UTF-8 in a string", "C2 05 C3 28", "/9/0/5", "bad-utf8"],
    ["a lone surrogate in UTF-8", "C3 05 ED A0 80", "/9/0/5", "bad-utf8"],
    ["resource inside a multiple resource", "83 06 C1 00 01", "/9/0/6", "bad-type"],
    ["object instance inside an object instance", "03 00 01 00 00", "/9/0", "bad-type"],
    ["resource instance directly in an object instance", "41 00 01", "/9/0", "bad-type"],
    ["resources where object instances belong", "C1 01 01", "/9", "bad-type"],
    ["resource at a resource-instance path", "C1 01 01", "/9/0/6/0", "bad-type"],
    ["two resources at a resource path", "C1 01 01 C1 01 02", "/9/0/1", "bad-type"],
    ["wrapper for another instance", "03 01 C1 01 01", "/9/0", "path-mismatch"],
    ["another resource than asked for", "C1 02 01", "/9/0/1", "path-mismatch"],
    ["the same resource twice", "C1 01 01 C1 01 02", "/9/0", "duplicate-id"],
    ["the same resource instance twice", "86 06 41 00 01 41 00 02", "/9/0/6", "duplicate-id"],
    ["object instance 65535 (reserved)", "20 FF FF", "/9", "bad-value"],
  ])("%s → %s", (_, bytes, path, code) => {
    expect(codecErrorOf(() => decode(TLV, hex(bytes), path, integer)).code).toBe(code);
  });

  it("refuses to encode a node that does not fit its path or its type", () => {
    const v: ResourceValue = { type: "integer", value: 1n };
    expect(codecErrorOf(() => encode(TLV, { kind: "single-resource", id: 2, value: v }, "/9/0/1")).code).toBe(
      "path-mismatch",
    );
    expect(codecErrorOf(() => encode(TLV, { kind: "single-resource", id: 1, value: v }, "/9/0")).code).toBe(
      "path-mismatch",
    );
    const huge: ResourceValue = { type: "integer", value: 2n ** 63n };
    expect(codecErrorOf(() => encode(TLV, { kind: "single-resource", id: 1, value: huge }, "/9/0/1")).code).toBe(
      "bad-value",
    );
    const lone: ResourceValue = { type: "string", value: "\uD800" };
    expect(codecErrorOf(() => encode(TLV, { kind: "single-resource", id: 1, value: lone }, "/9/0/1")).code).toBe(
      "bad-value",
    );
  });
});
