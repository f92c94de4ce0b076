/**
 * The one way subscriptions read the log. With `since`, the history from that point is read first, then the live
 * tail is watched from the sequence after the last one read: no gap and no duplicate at the seam, because both
 * halves are cut by stream sequence. Without `since`, only new events.
 */
import { Repeater } from "graphql-yoga";
import type { EventLog, From, LoggedEvent } from "../../core/event-log.ts";
import type { StreamName } from "../../core/subjects.ts";

export type LiveRequest = {
  stream: StreamName;
  /** Subject filters within the stream; all of it when absent. */
  filter?: string[];
  /** A stream sequence (inclusive) or a time; absent: only new events. */
  since?: number | Date | null;
};

/** Returned by a mapper to end the subscription (after pushing nothing more). */
export const END = Symbol("end");
/** What a mapper makes of one event: a value to push, undefined to skip it, or END. */
export type Mapped<T> = T | undefined | typeof END;

async function* replayThenWatch(log: EventLog, r: LiveRequest, signal: AbortSignal): AsyncIterable<LoggedEvent> {
  const filter = r.filter?.length ? r.filter : undefined;
  let from: From = "new";
  if (r.since !== undefined && r.since !== null) {
    // The head before reading: if history yields nothing, everything after it is still to come from the watch.
    const head = (await log.stats()).find((s) => s.stream === r.stream)?.lastSeq ?? 0;
    let last = head;
    for await (const e of log.read({ stream: r.stream, filter, from: r.since })) {
      if (signal.aborted) return;
      last = Math.max(last, e.seq);
      yield e;
    }
    from = last + 1;
  }
  yield* log.watch({ stream: r.stream, filter, from, signal });
}

/**
 * The events of `r`, mapped, as an async iterator that ends promptly (and frees its consumer) when the client
 * goes away or the mapper returns END. `after`, when given, ends the stream after a value it approves.
 */
export function liveEvents<T>(
  log: EventLog,
  r: LiveRequest,
  map: (e: LoggedEvent) => Mapped<T> | Promise<Mapped<T>>,
  last?: (value: T) => boolean,
): AsyncIterableIterator<T> {
  return new Repeater<T>(async (push, stop) => {
    const controller = new AbortController();
    void stop.then(() => controller.abort());
    try {
      for await (const e of replayThenWatch(log, r, controller.signal)) {
        const value = await map(e);
        if (value === END) break;
        if (value === undefined) continue;
        await push(value);
        if (last?.(value)) break;
      }
      stop();
    } catch (err) {
      stop(err);
    }
  });
}
