/** TD changes (new versions and removals) from the THINGS stream, live, kept to the Things a caller may see. */
import type { LoggedEvent } from "../../core/event-log.ts";
import { parseSubject, subjects } from "../../core/subjects.ts";
import { type Live, liveEvents } from "./replay-then-watch.ts";

export type TdChange = { seq: number; thing: string; removed: boolean; td: unknown; time: string };

export function toTdChange(e: LoggedEvent): TdChange | undefined {
  const a = parseSubject(e.subject);
  if (a.kind !== "td" && a.kind !== "removed") return undefined;
  return {
    seq: e.seq,
    thing: a.thing,
    removed: a.kind === "removed",
    td: a.kind === "td" ? e.data : null,
    time: e.time,
  };
}

export type TdChangesRequest = {
  /** One Thing, or every Thing the caller may see. */
  thing?: string | null;
  since?: number | Date | null;
  /** Whether the caller may see this Thing's changes now; changes of others are skipped. */
  visible: (thing: string) => Promise<boolean>;
};

export function thingDescriptions(live: Live, r: TdChangesRequest): AsyncIterableIterator<TdChange> {
  const filter = r.thing ? [subjects.thingTd(r.thing), subjects.thingRemoved(r.thing)] : undefined;
  return liveEvents(live, { stream: "THINGS", filter, since: r.since }, async (e) => {
    const change = toTdChange(e);
    return change && (await r.visible(change.thing)) ? change : undefined;
  });
}
