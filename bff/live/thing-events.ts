/**
 * A Thing's events and property values, live from the EVENTS stream (never from Postgres). With `since`, the
 * history from that point is read first, then the live tail is watched from the sequence after the last one
 * read: no gap and no duplicate at the seam, because both halves are cut by stream sequence.
 */
import { Repeater } from "graphql-yoga";
import type { EventLog, From, LoggedEvent } from "../../core/event-log.ts";
import { parseSubject, subjects } from "../../core/subjects.ts";
import type { HistoryRow } from "../read/history.ts";

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

async function* replayThenWatch(log: EventLog, r: ThingEventsRequest, signal: AbortSignal): AsyncIterable<LoggedEvent> {
  const filter = thingEventFilter(r.thing, r.name);
  let from: From = "new";
  if (r.since !== undefined && r.since !== null) {
    // The head before reading: if history yields nothing, everything after it is still to come from the watch.
    const head = (await log.stats()).find((s) => s.stream === "EVENTS")?.lastSeq ?? 0;
    let last = head;
    for await (const e of log.read({ stream: "EVENTS", filter, from: r.since })) {
      if (signal.aborted) return;
      last = Math.max(last, e.seq);
      yield e;
    }
    from = last + 1;
  }
  yield* log.watch({ stream: "EVENTS", filter, from, signal });
}

/** The events as an async iterator that ends promptly (and frees its consumer) when the client goes away. */
export function thingEvents(log: EventLog, r: ThingEventsRequest): AsyncIterableIterator<HistoryRow> {
  return new Repeater<HistoryRow>(async (push, stop) => {
    const controller = new AbortController();
    void stop.then(() => controller.abort());
    try {
      for await (const e of replayThenWatch(log, r, controller.signal)) {
        if (r.allowed && !(await r.allowed())) break;
        const row = toValueRecord(e);
        if (row) await push(row);
      }
      stop();
    } catch (err) {
      stop(err);
    }
  });
}
