/** The twin's pure handler: per Thing and affordance, the value with the latest time (then sequence) wins. */
import type { ProjectionEvent } from "../projection.ts";
import type { twinValues } from "./tables.ts";

export type TwinRow = typeof twinValues.$inferInsert;
export type TwinChanges = { upsert: TwinRow[] };

/** Pure: whether `a` is newer than `b` (device time first, stream sequence breaks ties). */
export function isNewer(a: { time: string; seq: number }, b: { time: string; seq: number }): boolean {
  const ta = Date.parse(a.time);
  const tb = Date.parse(b.time);
  return ta !== tb ? ta > tb : a.seq > b.seq;
}

export function handleTwin(events: readonly ProjectionEvent[]): TwinChanges {
  const latest = new Map<string, TwinRow>();
  for (const e of events) {
    if (e.address.kind !== "event" && e.address.kind !== "property") continue;
    const row: TwinRow = {
      thing: e.address.thing,
      kind: e.address.kind,
      name: e.address.name,
      value: e.data ?? null,
      time: e.time,
      seq: e.seq,
    };
    const key = JSON.stringify([row.thing, row.kind, row.name]);
    const seen = latest.get(key);
    if (seen === undefined || isNewer(row, seen)) latest.set(key, row);
  }
  return { upsert: [...latest.values()] };
}
