/**
 * The one way subscriptions read the log. The live tail comes from the stream's shared feed (one consumer per
 * stream and process, see live-feed.ts). With `since`, the subscription joins the feed first, then reads the
 * history from `since` and passes on the feed's events above the last one read: no gap (the feed holds everything
 * above the position it gave, and the history reaches at least that far) and no duplicate (both halves are cut by
 * stream sequence). Without `since`, only events newer than the moment of subscribing.
 */
import { Repeater } from "graphql-yoga";
import type { EventLog, LoggedEvent } from "../../core/event-log.ts";
import type { StreamName } from "../../core/subjects.ts";
import { EventQueue } from "./event-queue.ts";
import type { LiveFeeds } from "./live-feed.ts";

/** What subscriptions read from: the log for history, the shared feeds for the live tail. */
export type Live = { log: EventLog; feeds: LiveFeeds };

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

/** Events a subscriber may fall behind the live tail before it is ended (it can resume with `since`). */
export const MAX_BEHIND = 10_000;

/**
 * The events of `r`, mapped, as an async iterator that ends promptly (and leaves the feed) when the client goes
 * away or the mapper returns END. `last`, when given, ends the stream after a value it approves.
 */
export function liveEvents<T>(
  live: Live,
  r: LiveRequest,
  map: (e: LoggedEvent) => Mapped<T> | Promise<Mapped<T>>,
  last?: (value: T) => boolean,
): AsyncIterableIterator<T> {
  return new Repeater<T>(async (push, stop) => {
    const queue = new EventQueue(MAX_BEHIND);
    // The one reaction to `stop` in the subscription's life: the reader is woken through the queue, wherever it is.
    void stop.then(() => queue.close());
    const filter = r.filter?.length ? r.filter : undefined;
    let subscription: { unsubscribe(): void } | undefined;
    /** Pushes one event; false when the subscription is over. */
    const pass = async (e: LoggedEvent): Promise<boolean> => {
      const value = await map(e);
      if (value === END) return false;
      if (value === undefined) return true;
      await push(value);
      return !(last?.(value) ?? false);
    };
    try {
      const joined = await live.feeds.of(r.stream).subscribe(filter, queue);
      subscription = joined;
      if (queue.closed) return;
      // Everything at or below the feed's position is in the stream already, so a replay covers it.
      let cut = joined.position;
      if (r.since !== undefined && r.since !== null) {
        if (typeof r.since === "number") cut = Math.max(cut, r.since - 1);
        for await (const e of live.log.read({ stream: r.stream, filter, from: r.since })) {
          if (queue.closed) return;
          cut = Math.max(cut, e.seq);
          if (!(await pass(e))) return;
        }
      }
      for (;;) {
        // Once the queue is closed, shift() gives nothing, so a stop during pass() ends this loop here.
        for (let e = queue.shift(); e !== undefined; e = queue.shift()) {
          if (e.seq <= cut) continue;
          cut = e.seq;
          if (!(await pass(e))) return;
        }
        if (queue.closed) return;
        if (queue.failure !== undefined) throw queue.failure;
        await queue.wait();
      }
    } catch (err) {
      stop(err);
    } finally {
      subscription?.unsubscribe();
      stop();
    }
  });
}
