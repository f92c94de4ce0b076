/**
 * The one way subscriptions read the log. The live tail comes from the stream's shared feed (one consumer per
 * stream and process, see live-feed.ts). With `since`, the subscription joins the feed first, then reads the
 * history from `since` and passes on the feed's events above the last one read: no gap (the feed holds everything
 * above the position it gave, and the history reaches at least that far) and no duplicate (both halves are cut by
 * stream sequence). Without `since`, only events newer than the moment of subscribing.
 */
import { Repeater } from "graphql-yoga";
import { UnavailableError } from "../../core/errors.ts";
import type { EventLog, LoggedEvent } from "../../core/event-log.ts";
import type { StreamName } from "../../core/subjects.ts";
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

/** A FIFO of live events waiting for a slow consumer, with a wake-up for the reader. */
class Backlog {
  private items: LoggedEvent[] = [];
  private head = 0;
  private waiter: (() => void) | undefined;
  error: unknown;

  get size(): number {
    return this.items.length - this.head;
  }
  push(e: LoggedEvent): void {
    if (this.error !== undefined) return;
    if (this.size >= MAX_BEHIND) {
      this.fail(new UnavailableError(`the subscriber fell ${MAX_BEHIND} events behind; subscribe again with since`));
      return;
    }
    this.items.push(e);
    this.wake();
  }
  fail(err: unknown): void {
    this.error ??= err;
    this.wake();
  }
  shift(): LoggedEvent | undefined {
    if (this.head >= this.items.length) return undefined;
    const e = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return e;
  }
  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
  /** Resolves when there is something to read, an error, or `stopped` settles. */
  wait(stopped: Promise<unknown>): Promise<unknown> {
    if (this.size > 0 || this.error !== undefined) return Promise.resolve();
    return Promise.race([new Promise<void>((r) => (this.waiter = r)), stopped]);
  }
}

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
    let stopped = false;
    void stop.then(() => {
      stopped = true;
    });
    const filter = r.filter?.length ? r.filter : undefined;
    const backlog = new Backlog();
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
      const joined = await live.feeds
        .of(r.stream)
        .subscribe(filter, { event: (e) => backlog.push(e), failed: (err) => backlog.fail(err) });
      subscription = joined;
      if (stopped) return;
      // Everything at or below the feed's position is in the stream already, so a replay covers it.
      let cut = joined.position;
      if (r.since !== undefined && r.since !== null) {
        if (typeof r.since === "number") cut = Math.max(cut, r.since - 1);
        for await (const e of live.log.read({ stream: r.stream, filter, from: r.since })) {
          if (stopped) return;
          cut = Math.max(cut, e.seq);
          if (!(await pass(e))) return;
        }
      }
      while (!stopped) {
        for (let e = backlog.shift(); e !== undefined && !stopped; e = backlog.shift()) {
          if (e.seq <= cut) continue;
          cut = e.seq;
          if (!(await pass(e))) return;
        }
        if (backlog.error !== undefined) throw backlog.error;
        await backlog.wait(stop);
      }
    } catch (err) {
      stop(err);
    } finally {
      subscription?.unsubscribe();
      stop();
    }
  });
}
