import { describe, expect, it } from "vitest";
import { decode, encode } from "./codec.ts";
import { typesOf } from "./testing.ts";
import type { LwM2mNode, ResourceValue } from "./values.ts";

/** Edge values of every type; `finite: false` marks the ones only binary formats carry. */
const VALUES: { value: ResourceValue; finite?: false }[] = [
  { value: { type: "string", value: "" } },
  { value: { type: "string", value: 'quote " backslash \\ newline \n NUL \0 é 💡' } },
  { value: { type: "integer", value: 0n } },
  { value: { type: "integer", value: -128n } },
  { value: { type: "integer", value: 32767n } },
  { value: { type: "integer", value: -(2n ** 31n) - 1n } },
  { value: { type: "integer", value: 2n ** 53n + 1n } },
  { value: { type: "integer", value: -(2n ** 63n) } },
  { value: { type: "integer", value: 2n ** 63n - 1n } },
  { value: { type: "unsigned", value: 2n ** 64n - 1n } },
  { value: { type: "float", value: 22.5 } },
  { value: { type: "float", value: 0.1 } },
  { value: { type: "float", value: -0 } },
  { value: { type: "float", value: 1e300 } },
  { value: { type: "float", value: 5e-324 } },
  { value: { type: "float", value: 3.4028234663852886e38 } },
  { value: { type: "float", value: Number.NaN }, finite: false },
  { value: { type: "float", value: Number.NEGATIVE_INFINITY }, finite: false },
  { value: { type: "boolean", value: false } },
  { value: { type: "boolean", value: true } },
  { value: { type: "opaque", value: new Uint8Array() } },
  { value: { type: "opaque", value: Uint8Array.of(0, 0xff, 0xfb, 0x3e) } },
  { value: { type: "time", value: 0n } },
  { value: { type: "time", value: 1700000000n } },
  { value: { type: "objlnk", value: { objectId: 65535, instanceId: 65535 } } },
];

const FORMATS = [
  { name: "TLV", format: 11542, binary: true },
  { name: "SenML CBOR", format: 112, binary: true },
  { name: "LwM2M JSON", format: 11543, binary: false },
  { name: "SenML JSON", format: 110, binary: false },
  { name: "text/plain", format: 0, binary: false },
];

describe.each(FORMATS)("$name round trips", ({ format, binary }) => {
  const cases = VALUES.filter((v) => binary || v.finite !== false).map(({ value }) => [
    `${value.type} ${String(typeof value.value === "object" ? JSON.stringify([...Object.values(value.value)]) : value.value)}`,
    value,
  ]);
  it.each(cases)("%s", (_, value) => {
    const v = value as ResourceValue;
    const node: LwM2mNode = { kind: "single-resource", id: 7, value: v };
    expect(decode(format, encode(format, node, "/9/0/7"), "/9/0/7", typesOf({ 7: v.type }))).toEqual(node);
    const inInstance: LwM2mNode = { kind: "resource-instance", id: 3, value: v };
    expect(decode(format, encode(format, inInstance, "/9/0/7/3"), "/9/0/7/3", typesOf({ 7: v.type }))).toEqual(
      inInstance,
    );
  });
});
