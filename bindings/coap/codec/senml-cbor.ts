import { type CborValue, decodeCbor, encodeCbor } from "./cbor.ts";
import { CodecError } from "./codec-error.ts";
import type { RawValue } from "./json-values.ts";
import type { LwM2mPath } from "./path.ts";
import { fromSenml, refuseMustUnderstand, type SenmlRecord, toSenml } from "./senml.ts";
import type { TimedRecord } from "./timed.ts";
import { formatObjectLink, type ResourceTypes, type ResourceValue } from "./values.ts";

/** SenML CBOR labels (RFC 8428 §6); `vlo` has no number and stays a text key (LwM2M 1.1 TS §7.4.6). */
const LABELS: Record<string, string> = {
  "-2": "bn",
  "-3": "bt",
  "0": "n",
  "6": "t",
  "2": "v",
  "3": "vs",
  "4": "vb",
  "8": "vd",
};
const NUMBERS = { bn: -2n, n: 0n, t: 6n, v: 2n, vs: 3n, vb: 4n, vd: 8n } as const;

/** Reads SenML CBOR (112): an array of maps keyed by the SenML label numbers. */
export function decodeSenmlCbor(bytes: Uint8Array, types?: ResourceTypes): TimedRecord[] {
  const doc = decodeCbor(bytes);
  if (!Array.isArray(doc)) throw new CodecError("bad-cbor", "a SenML pack is a CBOR array");
  const pack = doc.map((entry): SenmlRecord => {
    if (typeof entry !== "object" || entry === null || !("pairs" in entry)) {
      throw new CodecError("bad-cbor", "each SenML record is a CBOR map");
    }
    const fields = new Map<string, CborValue>();
    for (const [key, value] of entry.pairs) {
      const label = typeof key === "bigint" ? LABELS[key.toString()] : typeof key === "string" ? key : undefined;
      if (label === undefined) continue;
      if (fields.has(label)) throw new CodecError("bad-cbor", "a SenML label appears twice in a record");
      fields.set(label, value);
    }
    refuseMustUnderstand(fields.keys());
    const raws: RawValue[] = [];
    const v = fields.get("v");
    if (v !== undefined) raws.push(numberRaw(v));
    const vb = fields.get("vb");
    if (vb !== undefined) raws.push({ kind: "boolean", value: typed(vb, "boolean", "vb") });
    const vs = fields.get("vs");
    if (vs !== undefined) raws.push({ kind: "string", value: typed(vs, "string", "vs") });
    const vd = fields.get("vd");
    if (vd !== undefined) raws.push({ kind: "bytes", value: bytesOf(vd) });
    const vlo = fields.get("vlo");
    if (vlo !== undefined) raws.push({ kind: "objlnk", value: typed(vlo, "string", "vlo") });
    const [value] = raws;
    if (!value || raws.length > 1) throw new CodecError("bad-cbor", "each record has one of v, vb, vs, vd, vlo");
    const record: SenmlRecord = { value };
    if (fields.has("bn")) record.bn = typed(fields.get("bn"), "string", "bn");
    if (fields.has("n")) record.n = typed(fields.get("n"), "string", "n");
    if (fields.has("bt")) record.bt = numberRaw(fields.get("bt")).value;
    if (fields.has("t")) record.t = numberRaw(fields.get("t")).value;
    return record;
  });
  return fromSenml(pack, types);
}

function typed<T extends "string" | "boolean">(
  x: CborValue,
  type: T,
  label: string,
): T extends "string" ? string : boolean {
  if (typeof x !== type) throw new CodecError("bad-cbor", `${label} must be a ${type}`);
  return x as T extends "string" ? string : boolean;
}

function bytesOf(x: CborValue): Uint8Array {
  if (!(x instanceof Uint8Array)) throw new CodecError("bad-cbor", "vd must be a byte string");
  return x;
}

function numberRaw(x: CborValue): RawValue & { kind: "json-number" } {
  if (typeof x === "bigint") return { kind: "json-number", source: x.toString(), value: Number(x) };
  if (typeof x === "number") return { kind: "json-number", source: `${x}f`, value: x };
  throw new CodecError("bad-cbor", "v, t and bt must be numbers");
}

/** Writes SenML CBOR; integers stay CBOR integers, floats become float32 when exact else float64. */
export function encodeSenmlCbor(records: readonly TimedRecord[], path: LwM2mPath): Uint8Array {
  const pack = toSenml(records, path).map((record) => {
    const pairs: [CborValue, CborValue][] = [];
    if (record.bn !== undefined) pairs.push([NUMBERS.bn, record.bn]);
    if (record.n !== undefined) pairs.push([NUMBERS.n, record.n]);
    if (record.t !== undefined) pairs.push([NUMBERS.t, record.t]);
    pairs.push(valueEntry(record.value));
    return { pairs };
  });
  return encodeCbor(pack);
}

function valueEntry(v: ResourceValue): [CborValue, CborValue] {
  switch (v.type) {
    case "boolean":
      return [NUMBERS.vb, v.value];
    case "string":
      return [NUMBERS.vs, v.value];
    case "opaque":
      return [NUMBERS.vd, v.value];
    case "objlnk":
      return ["vlo", formatObjectLink(v.value)];
    default:
      return [NUMBERS.v, v.value];
  }
}
