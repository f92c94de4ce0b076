/** Directory's pure handler: the newest TD of each Thing wins; a removal deletes the Thing. */
import { typesOf } from "../../core/td.ts";
import type { ProjectionEvent } from "../projection.ts";
import type { directoryThings } from "./tables.ts";

export type DirectoryRow = typeof directoryThings.$inferInsert;
/** Per Thing, the last word in the batch: its newest TD, or its removal at a stream sequence. */
export type DirectoryChanges = { upsert: DirectoryRow[]; remove: { thing: string; seq: number }[] };

export function handleDirectory(events: readonly ProjectionEvent[]): DirectoryChanges {
  const last = new Map<string, DirectoryRow | { thing: string; seq: number }>();
  for (const e of events) {
    if (e.type === "spokes.ThingDescribed") {
      const td = e.data;
      last.set(td.id, {
        thing: td.id,
        title: td.title,
        description: td.description ?? null,
        types: typesOf(td),
        td,
        source: e.source,
        version: e.seq,
        updatedAt: e.time,
      });
    } else if (e.type === "spokes.ThingRemoved" && e.address.kind === "removed") {
      last.set(e.address.thing, { thing: e.address.thing, seq: e.seq });
    }
  }
  const changes: DirectoryChanges = { upsert: [], remove: [] };
  for (const v of last.values()) {
    if ("version" in v) changes.upsert.push(v);
    else changes.remove.push(v);
  }
  return changes;
}
