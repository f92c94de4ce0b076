import { base64Decode, base64Encode, utf8Encode } from "./bytes.ts";
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
} from "./json-values.ts";
import type { LwM2mPath } from "./path.ts";
import { fromSenml, refuseMustUnderstand, type SenmlRecord, toSenml } from "./senml.ts";
import type { TimedRecord } from "./timed.ts";
import { formatObjectLink, type ResourceTypes } from "./values.ts";

/** Reads SenML JSON (110): an array of records with `bn`/`bt` base values, `n`/`t`, and one value label each. */
export function decodeSenmlJson(bytes: Uint8Array, types?: ResourceTypes): TimedRecord[] {
  const doc = parseJson(bytes);
  if (!Array.isArray(doc)) throw new CodecError("bad-json", "a SenML pack is a JSON array");
  const pack = doc.map((entry: unknown): SenmlRecord => {
    if (!isPlainObject(entry)) throw new CodecError("bad-json", "each SenML record is an object");
    refuseMustUnderstand(Object.keys(entry));
    const raws: RawValue[] = [];
    if (entry.v !== undefined) raws.push(numberOf(entry.v, "v"));
    if (entry.vb !== undefined) raws.push({ kind: "boolean", value: booleanOf(entry.vb) });
    if (entry.vs !== undefined) raws.push({ kind: "string", value: stringOf(entry.vs, "vs") });
    if (entry.vd !== undefined) raws.push({ kind: "bytes", value: base64Decode(stringOf(entry.vd, "vd")) });
    if (entry.vlo !== undefined) raws.push({ kind: "objlnk", value: stringOf(entry.vlo, "vlo") });
    const [value] = raws;
    if (!value || raws.length > 1) throw new CodecError("bad-json", "each record has one of v, vb, vs, vd, vlo");
    const record: SenmlRecord = { value };
    const bn = optionalString(entry.bn, "bn");
    const bt = optionalNumber(entry.bt, "bt");
    const n = optionalString(entry.n, "n");
    const t = optionalNumber(entry.t, "t");
    if (bn !== undefined) record.bn = bn;
    if (bt !== undefined) record.bt = bt;
    if (n !== undefined) record.n = n;
    if (t !== undefined) record.t = t;
    return record;
  });
  return fromSenml(pack, types);
}

/** Writes SenML JSON; opaque values go in `vd` as unpadded base64url, object links in `vlo`. */
export function encodeSenmlJson(records: readonly TimedRecord[], path: LwM2mPath): Uint8Array {
  const out = toSenml(records, path).map((record) => {
    const fields: string[] = [];
    if (record.bn !== undefined) fields.push(`"bn":${JSON.stringify(record.bn)}`);
    if (record.n !== undefined) fields.push(`"n":${JSON.stringify(record.n)}`);
    if (record.t !== undefined) fields.push(`"t":${timeText(record.t)}`);
    const v = record.value;
    if (v.type === "boolean") fields.push(`"vb":${v.value}`);
    else if (v.type === "string") fields.push(`"vs":${JSON.stringify(v.value)}`);
    else if (v.type === "opaque") fields.push(`"vd":"${base64Encode(v.value, true)}"`);
    else if (v.type === "objlnk") fields.push(`"vlo":"${formatObjectLink(v.value)}"`);
    else fields.push(`"v":${jsonNumberText(v)}`);
    return `{${fields.join(",")}}`;
  });
  return utf8Encode(`[${out.join(",")}]`);
}
