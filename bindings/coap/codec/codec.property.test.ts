import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anyValue, nodeAtPath, schemaTypes } from "./arbitraries.ts";
import { type CborValue, encodeCbor } from "./cbor.ts";
import { decode, decodeTimestamped, encode } from "./codec.ts";
import { CodecError } from "./codec-error.ts";
import { pathOf } from "./path.ts";
import type { LwM2mNode, ResourceType } from "./values.ts";

const PATHS = ["/3", "/3/0", "/3/0/1", "/3/0/6/0", "/3303/0/5700"];
const FORMATS = [0, 42, 110, 112, 1542, 1543, 11542, 11543, 60];

/** Runs a decode and fails the property if it throws anything but a CodecError. */
function onlyCodecErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof CodecError)) throw error;
  }
}

describe("encode → decode round trips", () => {
  it("TLV carries any node at any level, every type, NaN and infinities included", () => {
    fc.assert(
      fc.property(nodeAtPath({ finite: false, dense: false }), ({ node, path }) => {
        expect(decode(11542, encode(11542, node, path), path, schemaTypes)).toEqual(node);
      }),
      { numRuns: 300 },
    );
  });

  it("SenML CBOR carries any node whose containers are not empty", () => {
    fc.assert(
      fc.property(nodeAtPath({ finite: false, dense: true }), ({ node, path }) => {
        expect(decode(112, encode(112, node, path), path, schemaTypes)).toEqual(node);
      }),
      { numRuns: 300 },
    );
  });

  it.each([11543, 110])("JSON format %s carries any finite node whose containers are not empty", (format) => {
    fc.assert(
      fc.property(nodeAtPath({ finite: true, dense: true }), ({ node, path }) => {
        expect(decode(format, encode(format, node, path), path, schemaTypes)).toEqual(node);
      }),
      { numRuns: 300 },
    );
  });

  it("text/plain carries any single finite value", () => {
    const types: ResourceType[] = ["string", "integer", "unsigned", "float", "boolean", "opaque", "time", "objlnk"];
    const arbitrary = fc
      .constantFrom(...types.keys())
      .chain((r) => anyValue(types[r] ?? "string", { finite: true, dense: true }).map((value) => ({ r, value })));
    fc.assert(
      fc.property(arbitrary, ({ r, value }) => {
        const node: LwM2mNode = { kind: "single-resource", id: r, value };
        const path = pathOf([9, 0, r]);
        expect(decode(0, encode(0, node, path), path, schemaTypes)).toEqual(node);
      }),
    );
  });
});

describe("decoding anything throws nothing but CodecError", () => {
  const path = fc.constantFrom(...PATHS);
  const format = fc.constantFrom(...FORMATS);
  const typed = fc.boolean();

  it("arbitrary bytes in every format", () => {
    fc.assert(
      fc.property(format, fc.uint8Array({ maxLength: 80 }), path, typed, (f, bytes, p, withTypes) => {
        onlyCodecErrors(() => decode(f, bytes, p, withTypes ? schemaTypes : undefined));
        onlyCodecErrors(() => decodeTimestamped(f, bytes, p, withTypes ? schemaTypes : undefined));
      }),
      { numRuns: 2000 },
    );
  });

  it("valid encodings cut short or with a byte changed", () => {
    const damaged = fc.tuple(
      nodeAtPath({ finite: true, dense: true }),
      fc.constantFrom(11542, 11543, 110, 112),
      fc.nat(),
      fc.integer({ min: 0, max: 255 }),
      fc.boolean(),
    );
    fc.assert(
      fc.property(damaged, typed, ([{ node, path: at }, f, where, byte, cut], withTypes) => {
        const bytes = encode(f, node, at).slice();
        const index = bytes.length ? where % bytes.length : 0;
        const payload = cut ? bytes.subarray(0, index) : bytes;
        if (!cut && bytes.length) bytes[index] = byte;
        onlyCodecErrors(() => decode(f, payload, at, withTypes ? schemaTypes : undefined));
      }),
      { numRuns: 1000 },
    );
  });

  it("arbitrary JSON shaped like LwM2M JSON and SenML", () => {
    const field = fc.constantFrom("bn", "bt", "n", "t", "v", "vs", "vb", "vd", "vlo", "sv", "bv", "ov", "e", "x_");
    const record = fc.dictionary(field, fc.oneof(fc.jsonValue(), fc.constantFrom("/3/0/", "1", "6/0", "3:0")));
    const doc = fc.oneof(
      fc.array(record),
      record.map((r) => ({ ...r, e: [r] })),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(doc, fc.constantFrom(11543, 110), path, typed, (d, f, p, withTypes) => {
        const bytes = new TextEncoder().encode(JSON.stringify(d) ?? "null");
        onlyCodecErrors(() => decode(f, bytes, p, withTypes ? schemaTypes : undefined));
      }),
      { numRuns: 1000 },
    );
  });

  it("arbitrary CBOR shaped like SenML", () => {
    const leaf: fc.Arbitrary<CborValue> = fc.oneof(
      fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }),
      fc.double(),
      fc.string(),
      fc.uint8Array({ maxLength: 8 }),
      fc.boolean(),
      fc.constantFrom(null, undefined, "/3/0/", "1", "vlo", -2n, -3n, 0n, 2n, 3n, 4n, 6n, 8n),
    );
    const record = fc
      .array(fc.tuple(fc.constantFrom<CborValue>(-2n, -3n, 0n, 2n, 3n, 4n, 6n, 8n, "vlo", "x_"), leaf), {
        maxLength: 5,
      })
      .map((pairs): CborValue => ({ pairs }));
    fc.assert(
      fc.property(fc.array(fc.oneof(record, leaf), { maxLength: 4 }), path, typed, (pack, p, withTypes) => {
        onlyCodecErrors(() => decode(112, encodeCbor(pack), p, withTypes ? schemaTypes : undefined));
      }),
      { numRuns: 1000 },
    );
  });
});
