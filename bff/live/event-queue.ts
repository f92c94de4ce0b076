/**
 * One subscription's queue of live events, between the shared feed (which hands events over synchronously, in
 * stream order) and the subscription's reader (which passes them on at the client's pace).
 *
 * Waiting contract: the reader waits on at most one promise at a time, made by the queue and settled by the next
 * event, a failure or `close`. Nothing is attached to a promise that lives as long as the subscription, so a
 * subscription that waits once per event for days holds no more than one waiter. `close` is sticky: a reader that
 * asks to wait after it (or is busy elsewhere while it happens) is never left waiting.
 */
import { UnavailableError } from "../../core/errors.ts";
import type { LoggedEvent } from "../../core/event-log.ts";
import type { FeedListener } from "./live-feed.ts";

export class EventQueue implements FeedListener {
  /** Events the reader may fall behind the live tail before the queue fails (it can resume with `since`). */
  readonly limit: number;
  private items: LoggedEvent[] = [];
  private head = 0;
  private pending: { promise: Promise<void>; resolve: () => void } | undefined;
  private error: unknown;
  private ended = false;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Events waiting to be read. */
  get size(): number {
    return this.items.length - this.head;
  }
  /** Readers waiting for the next event: 0 or 1. */
  get waiting(): number {
    return this.pending === undefined ? 0 : 1;
  }
  /** Whether the subscription is over; nothing more will be read. */
  get closed(): boolean {
    return this.ended;
  }
  /** Why no more events will come from the feed, once they stopped coming (the reader should end with it). */
  get failure(): unknown {
    return this.error;
  }

  /** From the feed: one more event, in stream order. */
  event(e: LoggedEvent): void {
    if (this.ended || this.error !== undefined) return;
    if (this.size >= this.limit) {
      this.failed(new UnavailableError(`the subscriber fell ${this.limit} events behind; subscribe again with since`));
      return;
    }
    this.items.push(e);
    this.wake();
  }

  /** From the feed: no more events will come. */
  failed(err: unknown): void {
    this.error ??= err;
    this.wake();
  }

  /** Ends the queue: drops what is waiting and wakes the reader, now or whenever it next asks to wait. */
  close(): void {
    this.ended = true;
    this.items = [];
    this.head = 0;
    this.wake();
  }

  /** The oldest waiting event, or undefined when there is none (always so once closed). */
  shift(): LoggedEvent | undefined {
    if (this.head >= this.items.length) return undefined;
    const e = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return e;
  }

  /**
   * Settles when there is an event to read, a failure, or the queue is closed: at once if that is so already.
   * Asked again before it settles, it gives the same promise, so there is never more than one waiter.
   */
  wait(): Promise<void> {
    if (this.size > 0 || this.error !== undefined || this.ended) return Promise.resolve();
    if (this.pending === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.pending = { promise, resolve };
    }
    return this.pending.promise;
  }

  private wake(): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve();
  }
}
