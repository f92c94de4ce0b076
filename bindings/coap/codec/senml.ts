import { CodecError } from "./codec-error.ts";
import { type RawValue, typedValue } from "./json-values.ts";
import { formatPath, type LwM2mPath, parsePath } from "./path.ts";
import type { TimedRecord } from "./timed.ts";
import type { ResourceTypes, ResourceValue } from "./values.ts";

/**
 * One SenML record (RFC 8428) with its labels already parsed, whichever of JSON or CBOR carried it. LwM2M uses
 * `v` numbers, `vs` strings, `vb` booleans, `vd` opaque bytes and `vlo` object links (LwM2M 1.1 TS §7.4.5).
 */
export type SenmlRecord = { bn?: string; bt?: number; n?: string; t?: number; value: RawValue };

/**
 * Resolves base names and base times: a base value holds for every later record until the next one; a record's
 * path is bn + n and its time bt + t. Records with no time at all stay untimed ("now").
 */
export function fromSenml(pack: readonly SenmlRecord[], types?: ResourceTypes): TimedRecord[] {
  let baseName = "";
  let baseTime: number | undefined;
  return pack.map((record) => {
    if (record.bn !== undefined) baseName = record.bn;
    if (record.bt !== undefined) baseTime = record.bt;
    const path = parsePath(baseName + (record.n ?? ""));
    const value = typedValue(record.value, types?.(path.objectId, path.resourceId ?? -1));
    const time = baseTime === undefined && record.t === undefined ? undefined : (baseTime ?? 0) + (record.t ?? 0);
    return { path, value, time };
  });
}

/** A record to write: base name on the first only, name relative to it, the value still typed. */
export type SenmlOut = { bn?: string; n?: string; t?: number; value: ResourceValue };

/** Builds a pack whose first record sets `bn` to the request path; names are relative to it. */
export function toSenml(records: readonly TimedRecord[], path: LwM2mPath): SenmlOut[] {
  const base = formatPath(path);
  const bn = records.some((r) => formatPath(r.path) !== base) ? `${base}/` : base;
  return records.map((record, index) => {
    const name = formatPath(record.path).slice(bn.length);
    return {
      ...(index === 0 ? { bn } : {}),
      ...(name ? { n: name } : {}),
      ...(record.time !== undefined ? { t: record.time } : {}),
      value: record.value,
    };
  });
}

/** SenML labels ending in `_` must be understood; LwM2M defines none, so a record carrying one is refused. */
export function refuseMustUnderstand(labels: Iterable<string>): void {
  for (const label of labels) {
    if (label.endsWith("_")) throw new CodecError("bad-value", "SenML record has a must-understand label");
  }
}
