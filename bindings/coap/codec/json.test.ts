import { describe, expect, it } from "vitest";
import { objectRegistry } from "../objects/registry.ts";
import { decode, decodeTimestamped, encode, encodeTimestamped } from "./codec.ts";
import { codecErrorOf } from "./testing.ts";
import { absoluteTime } from "./timed.ts";
import type { LwM2mNode } from "./values.ts";

const types = objectRegistry.types;
const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

const DEVICE: LwM2mNode = {
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
    { kind: "single-resource", id: 13, value: { type: "time", value: 1367491215n } },
    { kind: "single-resource", id: 21, value: { type: "integer", value: 2n ** 62n + 1n } },
    { kind: "single-resource", id: 22, value: { type: "objlnk", value: { objectId: 3303, instanceId: 0 } } },
  ],
};

describe("LwM2M JSON (11543)", () => {
  const written =
    '{"bn":"/3/0/","e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"6/0","v":1},{"n":"6/1","v":5},' +
    '{"n":"13","v":1367491215},{"n":"21","v":4611686018427387905},{"n":"22","ov":"3303:0"}]}';

  it("writes the device instance with a base name and reads it back, 64-bit integers exact", () => {
    expect(text(encode(11543, DEVICE, "/3/0"))).toBe(written);
    expect(decode(11543, utf8(written), "/3/0", types)).toEqual(DEVICE);
    expect(decode(1543, utf8(written), "/3/0", types)).toEqual(DEVICE);
  });

  it("a single resource is named by the base name alone; floats keep a fraction", () => {
    const node: LwM2mNode = { kind: "single-resource", id: 5700, value: { type: "float", value: 22 } };
    expect(text(encode(11543, node, "/3303/0/5700"))).toBe('{"bn":"/3303/0/5700","e":[{"v":22.0}]}');
    expect(decode(11543, utf8('{"e":[{"n":"/3303/0/5700","v":22.0}]}'), "/3303/0/5700")).toEqual(node);
  });

  it("without a model numbers are integers or floats by how they are written, opaque stays a base64 string", () => {
    const doc = '{"bn":"/9/0/","e":[{"n":"1","v":7},{"n":"2","v":7.5},{"n":"3","sv":"AAE="},{"n":"4","bv":true}]}';
    expect(decode(11543, utf8(doc), "/9/0")).toEqual({
      kind: "object-instance",
      id: 0,
      resources: [
        { kind: "single-resource", id: 1, value: { type: "integer", value: 7n } },
        { kind: "single-resource", id: 2, value: { type: "float", value: 7.5 } },
        { kind: "single-resource", id: 3, value: { type: "string", value: "AAE=" } },
        { kind: "single-resource", id: 4, value: { type: "boolean", value: true } },
      ],
    });
  });

  it("times: bt + t per entry; decode keeps the newest value, decodeTimestamped keeps all", () => {
    const doc = '{"bn":"/3303/0/5700","bt":1700000000,"e":[{"v":21.5,"t":-60},{"v":22.5,"t":0}]}';
    expect(decode(11543, utf8(doc), "/3303/0/5700", types)).toEqual({
      kind: "single-resource",
      id: 5700,
      value: { type: "float", value: 22.5 },
    });
    const all = decodeTimestamped(11543, utf8(doc), "/3303/0/5700", types);
    expect(all.map((entry) => entry.time)).toEqual([1699999940, 1700000000]);
    expect(text(encodeTimestamped(11543, all, "/3303/0/5700"))).toBe(
      '{"bn":"/3303/0/5700","e":[{"v":21.5,"t":1699999940},{"v":22.5,"t":1700000000}]}',
    );
    expect(absoluteTime(-5, 1700000000)).toBe(1699999995);
    expect(absoluteTime(1699999940, 0)).toBe(1699999940);
  });
});

describe("SenML JSON (110)", () => {
  const written =
    '[{"bn":"/3/0/","n":"0","vs":"Open Mobile Alliance"},{"n":"6/0","v":1},{"n":"6/1","v":5},' +
    '{"n":"13","v":1367491215},{"n":"21","v":4611686018427387905},{"n":"22","vlo":"3303:0"}]';

  it("writes the device instance and reads it back", () => {
    expect(text(encode(110, DEVICE, "/3/0"))).toBe(written);
    expect(decode(110, utf8(written), "/3/0", types)).toEqual(DEVICE);
  });

  it("base names and base times carry over to later records until replaced", () => {
    const doc =
      '[{"bn":"/3303/0/","bt":1700000000,"n":"5700","v":20},{"n":"5700","t":10,"v":21},' +
      '{"bn":"/3303/1/","n":"5700","v":30},{"n":"5701","vs":"Cel"}]';
    const sensor = (id: number, value: number, units?: string) => ({
      kind: "object-instance" as const,
      id,
      resources: [
        { kind: "single-resource" as const, id: 5700, value: { type: "float" as const, value } },
        ...(units
          ? [{ kind: "single-resource" as const, id: 5701, value: { type: "string" as const, value: units } }]
          : []),
      ],
    });
    expect(decodeTimestamped(110, utf8(doc), "/3303", types)).toEqual([
      { time: 1700000000, node: { kind: "object", id: 3303, instances: [sensor(0, 20), sensor(1, 30, "Cel")] } },
      { time: 1700000010, node: { kind: "object", id: 3303, instances: [sensor(0, 21)] } },
    ]);
    expect(decode(110, utf8(doc), "/3303", types)).toEqual({
      kind: "object",
      id: 3303,
      instances: [sensor(0, 21), sensor(1, 30, "Cel")],
    });
  });

  it("opaque travels as unpadded base64url in vd", () => {
    const node: LwM2mNode = {
      kind: "single-resource",
      id: 1,
      value: { type: "opaque", value: Uint8Array.of(0xfb, 0xff) },
    };
    expect(text(encode(110, node, "/9/0/1"))).toBe('[{"bn":"/9/0/1","vd":"-_8"}]');
    expect(decode(110, utf8('[{"bn":"/9/0/1","vd":"-_8"}]'), "/9/0/1")).toEqual(node);
    expect(decode(110, utf8('[{"n":"/9/0/1","vd":"+/8="}]'), "/9/0/1")).toEqual(node);
  });
});

describe("JSON bad input", () => {
  it.each([
    ["not JSON", 11543, "{", "/3/0", "bad-json"],
    ["not UTF-8", 11543, "\xff", "/3/0", "bad-utf8"],
    ["no e array", 11543, '{"bn":"/3/0/"}', "/3/0", "bad-json"],
    ["e entry not an object", 11543, '{"e":[1]}', "/3/0", "bad-json"],
    ["base name that is no path", 11543, '{"bn":"3/0/","e":[{"n":"1","v":1}]}', "/3/0", "bad-path"],
    ["base name with text", 11543, '{"bn":"/three/","e":[{"n":"1","v":1}]}', "/3/0", "bad-path"],
    ["base name not a string", 11543, '{"bn":3,"e":[{"n":"1","v":1}]}', "/3/0", "bad-json"],
    ["name with a trailing slash", 11543, '{"bn":"/3/0/","e":[{"n":"1/","v":1}]}', "/3/0", "bad-path"],
    ["value at an instance path", 11543, '{"bn":"/3/0","e":[{"v":1}]}', "/3/0", "bad-path"],
    ["two values in one entry", 11543, '{"bn":"/3/0/","e":[{"n":"9","v":1,"sv":"x"}]}', "/3/0", "bad-json"],
    ["no value", 11543, '{"bn":"/3/0/","e":[{"n":"9"}]}', "/3/0", "bad-json"],
    ["v as a string", 11543, '{"bn":"/3/0/","e":[{"n":"9","v":"1"}]}', "/3/0", "bad-json"],
    ["bv not boolean", 11543, '{"bn":"/3/0/","e":[{"n":"9","bv":1}]}', "/3/0", "bad-json"],
    ["string where the model wants an integer", 11543, '{"bn":"/3/0/","e":[{"n":"9","sv":"1"}]}', "/3/0", "bad-type"],
    ["fraction where the model wants an integer", 11543, '{"bn":"/3/0/","e":[{"n":"9","v":1.5}]}', "/3/0", "bad-value"],
    ["integer past 64 bits", 11543, '{"bn":"/3/0/","e":[{"n":"9","v":9223372036854775808}]}', "/3/0", "bad-value"],
    [
      "a number object forged in the input",
      11543,
      '{"bn":"/3/0/","e":[{"n":"9","v":{"kind":"json-number","source":"x","value":1}}]}',
      "/3/0",
      "bad-json",
    ],
    ["bad objlnk", 11543, '{"bn":"/3/0/","e":[{"n":"22/0","ov":"3303"}]}', "/3/0", "bad-value"],
    ["value outside the request path", 11543, '{"bn":"/3/1/","e":[{"n":"9","v":1}]}', "/3/0", "path-mismatch"],
    ["same resource twice", 11543, '{"bn":"/3/0/","e":[{"n":"9","v":1},{"n":"9","v":2}]}', "/3/0", "duplicate-id"],
    [
      "resource single and multiple",
      11543,
      '{"bn":"/3/0/","e":[{"n":"6","v":1},{"n":"6/0","v":2}]}',
      "/3/0",
      "duplicate-id",
    ],
    ["nothing for a resource path", 11543, '{"bn":"/3/0/","e":[]}', "/3/0/9", "truncated"],
    ["pack not an array", 110, '{"bn":"/3/0/"}', "/3/0", "bad-json"],
    ["SenML base name that is no path", 110, '[{"bn":"urn:dev:1","n":"9","v":1}]', "/3/0", "bad-path"],
    ["SenML must-understand label", 110, '[{"bn":"/3/0/","n":"9","v":1,"x_":1}]', "/3/0", "bad-value"],
    ["SenML vd not base64", 110, '[{"bn":"/3/0/","n":"9","vd":"*"}]', "/3/0", "bad-value"],
    ["SenML bt not a number", 110, '[{"bn":"/3/0/","bt":"now","n":"9","v":1}]', "/3/0", "bad-json"],
    [
      "SenML bytes where the model wants a float",
      110,
      '[{"bn":"/3303/0/","n":"5700","vd":"AA"}]',
      "/3303/0",
      "bad-type",
    ],
  ])("%s → %s", (_, format, doc, path, code) => {
    const bytes = doc === "\xff" ? Uint8Array.of(0xff) : utf8(doc);
    expect(codecErrorOf(() => decode(format, bytes, path, types)).code).toBe(code);
  });

  it("refuses to write NaN in JSON", () => {
    const nan: LwM2mNode = { kind: "single-resource", id: 5700, value: { type: "float", value: Number.NaN } };
    expect(codecErrorOf(() => encode(11543, nan, "/3303/0/5700")).code).toBe("bad-value");
    expect(codecErrorOf(() => encode(110, nan, "/3303/0/5700")).code).toBe("bad-value");
  });
});
