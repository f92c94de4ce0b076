import { checkNodeAtPath } from "./node-check.ts";
import { formatPath, type LwM2mPath } from "./path.ts";
import { fromRecords, toRecords, type ValueRecord } from "./records.ts";
import type { LwM2mNode } from "./values.ts";

/** A record with the time the device gave it, in seconds (see absoluteTime). */
export type TimedRecord = ValueRecord & { time?: number | undefined };

/** A node and the time its values were taken; `time` is absent when the device gave none ("now"). */
export type TimestampedNode = { time?: number | undefined; node: LwM2mNode };

/**
 * Resolves a SenML / LwM2M JSON time: values from 2^28 on are seconds since the epoch; smaller ones (usually
 * zero or negative) are relative to the receiver's clock, which the caller passes in.
 */
export function absoluteTime(time: number, nowSeconds: number): number {
  return time >= 2 ** 28 ? time : nowSeconds + time;
}

/** The node for `path` made of the newest value of each path; a record without a time counts as newest. */
export function latestNode(records: readonly TimedRecord[], path: LwM2mPath): LwM2mNode {
  const rank = (record: TimedRecord) => record.time ?? Number.POSITIVE_INFINITY;
  const newest = new Map<string, TimedRecord[]>();
  for (const record of records) {
    const key = formatPath(record.path);
    const seen = newest.get(key);
    // Equal times are kept together so fromRecords reports the duplicate.
    if (!seen?.[0] || rank(record) > rank(seen[0])) newest.set(key, [record]);
    else if (rank(record) === rank(seen[0])) seen.push(record);
  }
  return fromRecords([...newest.values()].flat(), path);
}

/** One node per distinct time, in the order the times first appear. */
export function groupByTime(records: readonly TimedRecord[], path: LwM2mPath): TimestampedNode[] {
  const groups = new Map<number | undefined, TimedRecord[]>();
  for (const record of records) groups.set(record.time, [...(groups.get(record.time) ?? []), record]);
  return [...groups].map(([time, group]) => ({ time, node: fromRecords(group, path) }));
}

/** Flattens timestamped nodes into timed records, checking each node against the path. */
export function flattenTimed(entries: readonly TimestampedNode[], path: LwM2mPath): TimedRecord[] {
  return entries.flatMap(({ time, node }) => {
    checkNodeAtPath(node, path);
    return toRecords(node, path).map((record) => ({ ...record, time }));
  });
}
