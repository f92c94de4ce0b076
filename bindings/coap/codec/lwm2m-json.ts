import { base64Encode, utf8Encode } from "./bytes.ts";
import { CodecError } from "./codec-error.ts";
import {
  booleanOf,
  isPlainObject,
  jsonNumberText,
  numberOf,
  optionalNumber,
  optionalString,
  parseJson,
  type RawValue,
  stringOf,
  timeText,
  typedValue,
} from "./json-values.ts";
import { formatPath, type LwM2mPath, parsePath } from "./path.ts";
import type { TimedRecord } from "./timed.ts";
import { formatObjectLink, type ResourceTypes, type ResourceValue } from "./values.ts";

/**
 * Reads LwM2M JSON (11543, LwM2M 1.0 TS §6.4.4): `{"bn":"/3/0/","bt":…,"e":[{"n":"0","sv":"…","t":…}]}`. Each
 * entry's path is `bn` + `n` and must parse; its time is `bt` + `t` when either is present. Values: `v` number,
 * `bv` boolean, `sv` string (opaque as base64), `ov` object link `o:i`.
 */
export function decodeLwm2mJson(bytes: Uint8Array, types?: ResourceTypes): TimedRecord[] {
  const doc = parseJson(bytes);
  if (!isPlainObject(doc) || !Array.isArray(doc.e)) throw new CodecError("bad-json", "LwM2M JSON needs an e array");
  const baseName = optionalString(doc.bn, "bn");
  const baseTime = optionalNumber(doc.bt, "bt");
  return doc.e.map((entry: unknown): TimedRecord => {
    if (!isPlainObject(entry)) throw new CodecError("bad-json", "each e entry is an object");
    const path = parsePath(`${baseName ?? ""}${optionalString(entry.n, "n") ?? ""}`);
    const time = optionalNumber(entry.t, "t");
    const raws: RawValue[] = [];
    if (entry.v !== undefined) raws.push(numberOf(entry.v, "v"));
    if (entry.bv !== undefined) raws.push({ kind: "boolean", value: booleanOf(entry.bv) });
    if (entry.sv !== undefined) raws.push({ kind: "string", value: stringOf(entry.sv, "sv") });
    if (entry.ov !== undefined) raws.push({ kind: "objlnk", value: stringOf(entry.ov, "ov") });
    const [raw] = raws;
    if (!raw || raws.length > 1) throw new CodecError("bad-json", "each e entry has exactly one of v, bv, sv, ov");
    const value = typedValue(raw, types?.(path.objectId, path.resourceId ?? -1));
    const at = baseTime === undefined && time === undefined ? undefined : (baseTime ?? 0) + (time ?? 0);
    return { path, value, time: at };
  });
}

/** Writes LwM2M JSON with `bn` set to the request path, each entry named relative to it. */
export function encodeLwm2mJson(records: readonly TimedRecord[], path: LwM2mPath): Uint8Array {
  const base = formatPath(path);
  const nested = records.some((r) => formatPath(r.path) !== base);
  const bn = nested ? `${base}/` : base;
  const entries = records.map((record) => {
    const fields: string[] = [];
    const name = formatPath(record.path).slice(bn.length);
    if (name) fields.push(`"n":${JSON.stringify(name)}`);
    fields.push(valueField(record.value));
    if (record.time !== undefined) fields.push(`"t":${timeText(record.time)}`);
    return `{${fields.join(",")}}`;
  });
  return utf8Encode(`{"bn":${JSON.stringify(bn)},"e":[${entries.join(",")}]}`);
}

function valueField(v: ResourceValue): string {
  switch (v.type) {
    case "boolean":
      return `"bv":${v.value}`;
    case "string":
      return `"sv":${JSON.stringify(v.value)}`;
    case "opaque":
      return `"sv":${JSON.stringify(base64Encode(v.value))}`;
    case "objlnk":
      return `"ov":"${formatObjectLink(v.value)}"`;
    default:
      return `"v":${jsonNumberText(v)}`;
  }
}
