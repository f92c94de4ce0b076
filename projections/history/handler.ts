/** History's pure handler: each event or property value becomes one row. */
import type { ProjectionEvent } from "../projection.ts";
import type { historyValues } from "./tables.ts";

/** A row, with `json`: the data's JSON text when the event brought it (written as is instead of serialising `data`). */
export type HistoryRow = typeof historyValues.$inferInsert & { json?: string | undefined };
export type HistoryChanges = { insert: HistoryRow[] };

export function handleHistory(events: readonly ProjectionEvent[]): HistoryChanges {
  const insert: HistoryRow[] = [];
  for (const e of events) {
    if (e.address.kind !== "event" && e.address.kind !== "property") continue;
    insert.push({
      seq: e.seq,
      thing: e.address.thing,
      kind: e.address.kind,
      name: e.address.name,
      time: e.time,
      receivedAt: e.receivedAt,
      data: e.data ?? null,
      json: e.json,
    });
  }
  return { insert };
}
