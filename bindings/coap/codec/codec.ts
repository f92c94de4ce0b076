import { CodecError, guarded } from "./codec-error.ts";
import { decodeLwm2mJson, encodeLwm2mJson } from "./lwm2m-json.ts";
import { type LwM2mPath, parsePath } from "./path.ts";
import { decodeSenmlCbor, encodeSenmlCbor } from "./senml-cbor.ts";
import { decodeSenmlJson, encodeSenmlJson } from "./senml-json.ts";
import { decodeOpaque, decodeText, encodeOpaque, encodeText } from "./text.ts";
import { flattenTimed, groupByTime, latestNode, type TimedRecord, type TimestampedNode } from "./timed.ts";
import { decodeTlv, encodeTlv } from "./tlv.ts";
import type { LwM2mNode, ResourceTypes } from "./values.ts";

/** CoAP content-format numbers the LwM2M codec speaks (IANA CoAP Content-Formats registry). */
export const CONTENT_FORMAT = {
  text: 0,
  opaque: 42,
  senmlJson: 110,
  senmlCbor: 112,
  /** Pre-registration TLV number some LwM2M 1.0 clients still send; decoded, never encoded. */
  legacyTlv: 1542,
  /** Pre-registration LwM2M JSON number; decoded, never encoded. */
  legacyJson: 1543,
  tlv: 11542,
  lwm2mJson: 11543,
} as const;

/** Content formats `encode` can produce, for a server's Accept option. */
export const ENCODABLE_FORMATS: readonly number[] = [0, 42, 110, 112, 11542, 11543];

type RecordCodec = {
  decode: (bytes: Uint8Array, types?: ResourceTypes) => TimedRecord[];
  encode: (records: readonly TimedRecord[], path: LwM2mPath) => Uint8Array;
};

const RECORD_FORMATS: ReadonlyMap<number, RecordCodec> = new Map([
  [11543, { decode: decodeLwm2mJson, encode: encodeLwm2mJson }],
  [1543, { decode: decodeLwm2mJson, encode: encodeLwm2mJson }],
  [110, { decode: decodeSenmlJson, encode: encodeSenmlJson }],
  [112, { decode: decodeSenmlCbor, encode: encodeSenmlCbor }],
]);

/**
 * Decodes a payload of content format `format` sent for `path` into the node at that path (an object, object
 * instance, resource or resource instance). `types` gives resource types from the object model; see each format
 * for what happens without it. Timestamped formats yield each path's newest value. Throws only CodecError.
 */
export function decode(format: number, bytes: Uint8Array, path: LwM2mPath | string, types?: ResourceTypes): LwM2mNode {
  return guarded(
    () => {
      const at = typeof path === "string" ? parsePath(path) : path;
      switch (format) {
        case 0:
          return decodeText(bytes, at, types);
        case 42:
          return decodeOpaque(bytes, at);
        case 11542:
        case 1542:
          return decodeTlv(bytes, at, types);
      }
      return latestNode(recordCodec(format).decode(bytes, types), at);
    },
    "bad-value",
    "payload could not be decoded",
  );
}

/** Like decode, but keeps every time a device reported: one node per distinct time, untimed values as time undefined. */
export function decodeTimestamped(
  format: number,
  bytes: Uint8Array,
  path: LwM2mPath | string,
  types?: ResourceTypes,
): TimestampedNode[] {
  return guarded(
    () => {
      const at = typeof path === "string" ? parsePath(path) : path;
      const codec = RECORD_FORMATS.get(format);
      if (!codec) return [{ node: decode(format, bytes, at, types) }];
      return groupByTime(codec.decode(bytes, types), at);
    },
    "bad-value",
    "payload could not be decoded",
  );
}

/** Encodes the node at `path` in content format `format`; legacy numbers are not produced. Throws only CodecError. */
export function encode(format: number, node: LwM2mNode, path: LwM2mPath | string): Uint8Array {
  return guarded(
    () => {
      const at = typeof path === "string" ? parsePath(path) : path;
      switch (format) {
        case 0:
          return encodeText(node, at);
        case 42:
          return encodeOpaque(node, at);
        case 11542:
          return encodeTlv(node, at);
      }
      return encodeRecords(format, [{ node }], at);
    },
    "bad-value",
    "value could not be encoded",
  );
}

/** Encodes timestamped nodes (LwM2M JSON, SenML JSON or CBOR only), e.g. for the LwM2M gateway's notifications. */
export function encodeTimestamped(
  format: number,
  entries: readonly TimestampedNode[],
  path: LwM2mPath | string,
): Uint8Array {
  return guarded(
    () => encodeRecords(format, entries, typeof path === "string" ? parsePath(path) : path),
    "bad-value",
    "value could not be encoded",
  );
}

function encodeRecords(format: number, entries: readonly TimestampedNode[], path: LwM2mPath): Uint8Array {
  if (format === 1543) throw new CodecError("unsupported-format", "legacy content formats are decoded only");
  return recordCodec(format).encode(flattenTimed(entries, path), path);
}

function recordCodec(format: number): RecordCodec {
  const codec = RECORD_FORMATS.get(format);
  if (!codec) throw new CodecError("unsupported-format", `content format ${format} is not an LwM2M format`);
  return codec;
}
