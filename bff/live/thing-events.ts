/** A Thing's events and property values, live from the EVENTS stream (never from Postgres). */
import type { LoggedEvent } from "../../core/event-log.ts";
import { parseSubject, subjects } from "../../core/subjects.ts";
import type { HistoryRow } from "../read/history.ts";
import { END, type Live, liveEvents } from "./replay-then-watch.ts";

export type ThingEventsRequest = {
  thing: string;
  name?: string | null;
  /** A stream sequence (inclusive) or a time; absent: only new events. */
  since?: number | Date | null;
  /** Called before each event is passed on; false ends the stream (the caller lost access). */
  allowed?: () => Promise<boolean>;
};

export function thingEventFilter(thing: string, name?: string | null): string[] {
  if (name) return [subjects.event(thing, name), subjects.property(thing, name)];
  // Within EVENTS, every subject of the Thing is an event or a property value.
  return [subjects.thingAll(thing)];
}

/** A logged event as a history row (the shape the history query returns). */
export function toValueRecord(e: LoggedEvent): HistoryRow | undefined {
  const a = parseSubject(e.subject);
  if (a.kind !== "event" && a.kind !== "property") return undefined;
  return {
    seq: e.seq,
    thing: a.thing,
    kind: a.kind,
    name: a.name,
    time: e.time,
    receivedAt: e.receivedAt,
    data: e.data,
  };
}

/** The events as an async iterator that ends promptly (and frees its consumer) when the client goes away. */
export function thingEvents(live: Live, r: ThingEventsRequest): AsyncIterableIterator<HistoryRow> {
  const request = { stream: "EVENTS" as const, filter: thingEventFilter(r.thing, r.name), since: r.since };
  return liveEvents(live, request, async (e) => (r.allowed && !(await r.allowed()) ? END : toValueRecord(e)));
}
