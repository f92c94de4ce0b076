import { describe, expect, it } from "vitest";
import { objectRegistry } from "../objects/registry.ts";
import { type CborValue, decodeCbor, encodeCbor } from "./cbor.ts";
import { decode, encode } from "./codec.ts";
import { codecErrorOf, hex, toHex, utf8Hex } from "./testing.ts";
import type { LwM2mNode } from "./values.ts";

const types = objectRegistry.types;

describe("SenML CBOR (112)", () => {
  it.each<[string, string, LwM2mNode, string]>([
    [
      "float 22.5 as float32",
      "/3303/0/5700",
      { kind: "single-resource", id: 5700, value: { type: "float", value: 22.5 } },
      `81 A2 21 6C ${utf8Hex("/3303/0/5700")} 02 FA 41 B4 00 00`,
    ],
    [
      "float 0.1 as float64",
      "/3303/0/5700",
      { kind: "single-resource", id: 5700, value: { type: "float", value: 0.1 } },
      `81 A2 21 6C ${utf8Hex("/3303/0/5700")} 02 FB 3F B9 99 99 99 99 99 9A`,
    ],
    [
      "64-bit integer",
      "/3/0/21",
      { kind: "single-resource", id: 21, value: { type: "integer", value: 2n ** 62n + 1n } },
      `81 A2 21 67 ${utf8Hex("/3/0/21")} 02 1B 40 00 00 00 00 00 00 01`,
    ],
    [
      "negative integer",
      "/3/0/21",
      { kind: "single-resource", id: 21, value: { type: "integer", value: -500n } },
      `81 A2 21 67 ${utf8Hex("/3/0/21")} 02 39 01 F3`,
    ],
    [
      "boolean",
      "/3311/0/5850",
      { kind: "single-resource", id: 5850, value: { type: "boolean", value: true } },
      `81 A2 21 6C ${utf8Hex("/3311/0/5850")} 04 F5`,
    ],
    [
      "object link in vlo",
      "/3/0/22/0",
      { kind: "resource-instance", id: 0, value: { type: "objlnk", value: { objectId: 3303, instanceId: 0 } } },
      `81 A2 21 69 ${utf8Hex("/3/0/22/0")} 63 ${utf8Hex("vlo")} 66 ${utf8Hex("3303:0")}`,
    ],
  ])("%s", (_, path, node, bytes) => {
    expect(toHex(encode(112, node, path))).toBe(toHex(hex(bytes)));
    expect(decode(112, hex(bytes), path, types)).toEqual(node);
  });

  it("an instance: base name on the first record, names relative, opaque in vd", () => {
    const node: LwM2mNode = {
      kind: "object-instance",
      id: 0,
      resources: [
        { kind: "single-resource", id: 0, value: { type: "string", value: "ACME" } },
        {
          kind: "multiple-resource",
          id: 6,
          instances: [{ kind: "resource-instance", id: 0, value: { type: "integer", value: 1n } }],
        },
      ],
    };
    const bytes = `82 A3 21 65 ${utf8Hex("/3/0/")} 00 61 30 03 64 ${utf8Hex("ACME")} A2 00 63 ${utf8Hex("6/0")} 02 01`;
    expect(toHex(encode(112, node, "/3/0"))).toBe(toHex(hex(bytes)));
    expect(decode(112, hex(bytes), "/3/0", types)).toEqual(node);
  });

  it("reads half floats, indefinite arrays and maps, tags, base time", () => {
    const bytes = `9F BF 21 6C ${utf8Hex("/3303/0/5700")} 22 1A 65 53 F1 00 02 C1 F9 3C 00 FF FF`;
    expect(decode(112, hex(bytes), "/3303/0/5700", types)).toEqual({
      kind: "single-resource",
      id: 5700,
      value: { type: "float", value: 1 },
    });
  });

  it.each([
    ["empty", "", "truncated"],
    ["array cut short", "81 A2 21", "truncated"],
    ["string length past the end", "81 A1 21 6C 2F", "truncated"],
    ["8-byte argument cut short", "1B 00 00", "truncated"],
    ["reserved additional information", "1C", "bad-cbor"],
    ["indefinite-length string", "5F 41 00 FF", "bad-cbor"],
    ["indefinite integer", "1F", "bad-cbor"],
    ["break outside a container", "FF", "bad-cbor"],
    ["unsupported simple value", "F0", "bad-cbor"],
    ["odd indefinite map", "81 BF 01 FF", "bad-cbor"],
    ["nested too deep", `${"81 ".repeat(40)}00`, "bad-cbor"],
    ["bytes after the item", "80 00", "trailing-bytes"],
    ["pack not an array", "A0", "bad-cbor"],
    ["record not a map", "81 01", "bad-cbor"],
    ["a label twice", `81 A3 21 63 ${utf8Hex("/9/")} 02 01 02 02`, "bad-cbor"],
    ["vs not text", `81 A2 21 66 ${utf8Hex("/9/0/1")} 03 01`, "bad-cbor"],
    ["invalid UTF-8 text", `81 A2 21 62 C3 28 02 01`, "bad-utf8"],
    ["base name that is no path", `81 A2 21 62 ${utf8Hex("/x")} 02 01`, "bad-path"],
    ["no value", `81 A1 21 66 ${utf8Hex("/9/0/1")}`, "bad-cbor"],
  ])("%s → %s", (_, bytes, code) => {
    expect(codecErrorOf(() => decode(112, hex(bytes), "/9/0/1")).code).toBe(code);
  });

  it("the CBOR subset round-trips its own values", () => {
    const value: CborValue = [
      1n,
      -1n,
      2n ** 64n - 1n,
      -(2n ** 64n),
      1.5,
      "é",
      Uint8Array.of(1),
      true,
      null,
      undefined,
      { pairs: [["k", [0n]]] },
    ];
    expect(decodeCbor(encodeCbor(value))).toEqual(value);
  });
});
