import { promiseHooks } from "node:v8";
import { afterEach, describe, expect, it } from "vitest";
import { UnavailableError } from "../../core/errors.ts";
import type { EventLog, LoggedEvent } from "../../core/event-log.ts";
import { type StreamName, subjects } from "../../core/subjects.ts";
import { EventQueue } from "./event-queue.ts";
import { type FeedListener, type FeedSubscription, LiveFeed, LiveFeeds } from "./live-feed.ts";
import { type Live, liveEvents } from "./replay-then-watch.ts";
import { MemoryTail } from "./test-support.ts";

/** A real feed that keeps the listeners subscribers hand it, so a test can look at a subscription's queue. */
class SeenFeed extends LiveFeed {
  readonly seen: FeedListener[] = [];
  override subscribe(patterns: readonly string[] | undefined, listener: FeedListener): Promise<FeedSubscription> {
    this.seen.push(listener);
    return super.subscribe(patterns, listener);
  }
}

/** Feeds that are all the one EVENTS feed. */
class OneFeed extends LiveFeeds {
  readonly feed: SeenFeed;
  constructor(log: EventLog) {
    super(log);
    this.feed = new SeenFeed(log, "EVENTS");
  }
  override of(_stream: StreamName): LiveFeed {
    return this.feed;
  }
  override close(): void {
    this.feed.close();
  }
}

/**
 * The most reactions (then, await, race) that were attached, with V8's promise hooks watching, to any one promise
 * while it was still pending. A subscription that added one per event to a promise living as long as itself
 * shows up here as a figure that grows with the events.
 */
function reactionsWhilePending() {
  const settled = new WeakSet<Promise<unknown>>();
  const counts = new WeakMap<Promise<unknown>, number>();
  let most = 0;
  const stop = promiseHooks.createHook({
    init(_promise, parent) {
      if (!parent || settled.has(parent)) return;
      const n = (counts.get(parent) ?? 0) + 1;
      counts.set(parent, n);
      most = Math.max(most, n);
    },
    settled(promise) {
      settled.add(promise);
    },
  });
  return { most: () => most, stop };
}

/** Lets every job that is ready run (promise reactions and I/O callbacks), without waiting for any time to pass. */
const settle = () => new Promise<void>((r) => setImmediate(r));

const thing = "queue-1";
const subject = subjects.event(thing, "reading");

let tail: MemoryTail;
let feeds: OneFeed;
let live: Live;
afterEach(() => feeds?.close());

function subscription(): { it: AsyncIterableIterator<LoggedEvent>; queue: () => EventQueue } {
  tail = new MemoryTail();
  feeds = new OneFeed(tail);
  live = { log: tail, feeds };
  const it = liveEvents(live, { stream: "EVENTS", filter: [subjects.thingAll(thing)] }, (e) => e);
  const queue = () => {
    const q = feeds.feed.seen[0];
    if (!(q instanceof EventQueue)) throw new Error("the subscription has not joined the feed");
    return q;
  };
  return { it, queue };
}

describe("a subscription's live queue", () => {
  it("Given one subscription, When 100,000 live events pass through its iterator one by one, Then it never holds more than one waiter and no pending promise gathers reactions", async () => {
    // Watching from before the subscription starts, so its own long-lived promises are watched from birth.
    const hooks = reactionsWhilePending();
    const { it: events, queue } = subscription();
    let mostWaiting = 0;
    let most: number;
    try {
      for (let i = 1; i <= 100_000; i++) {
        const next = events.next();
        await settle();
        // The reader has passed every earlier event on and is parked on the queue, waiting for this one.
        mostWaiting = Math.max(mostWaiting, queue().waiting);
        if (queue().waiting !== 1) expect.fail(`event ${i}: the reader is not waiting on the queue`);
        const sent = tail.emit(subject);
        const got = await next;
        if (got.done || got.value.seq !== sent.seq) expect.fail(`event ${i}: got ${JSON.stringify(got)}`);
      }
      most = hooks.most();
    } finally {
      hooks.stop();
    }
    expect(mostWaiting).toBe(1);
    expect(queue().size).toBe(0);
    expect(feeds.feed.listeners).toBe(1);
    expect(most).toBeLessThan(10);
    await expect(events.return?.()).resolves.toEqual({ done: true, value: undefined });
    expect(queue().closed).toBe(true);
    expect(queue().waiting).toBe(0);
    expect(feeds.feed.listeners).toBe(0);
  }, 120_000);

  it("Given a reader waiting for the next event, When the client ends the subscription, Then return() resolves, the queue is closed and the feed drops it", async () => {
    const { it: events, queue } = subscription();
    const next = events.next();
    await settle();
    expect(queue().waiting).toBe(1);
    await expect(events.return?.()).resolves.toEqual({ done: true, value: undefined });
    await expect(next).resolves.toEqual({ done: true, value: undefined });
    expect(queue().closed).toBe(true);
    expect(queue().waiting).toBe(0);
    expect(feeds.feed.listeners).toBe(0);
  });

  it("Given a reader still handing over an event, When the client breaks out of its loop, Then the loop ends and the feed drops it", async () => {
    const { it: events, queue } = subscription();
    const got: number[] = [];
    const reading = (async () => {
      for await (const e of events) {
        got.push(e.seq);
        // The subscription is still inside push() for this event when break calls return().
        if (got.length === 3) break;
      }
    })();
    await settle();
    // Nothing more comes after the third, so the reader finds its queue empty when the break lands.
    for (let i = 0; i < 3; i++) tail.emit(subject);
    await reading;
    expect(got).toEqual([1, 2, 3]);
    expect(queue().closed).toBe(true);
    expect(queue().waiting).toBe(0);
    expect(feeds.feed.listeners).toBe(0);
  });

  it("Given a reader waiting for the next event, When the feed fails, Then the iterator ends with the feed's error", async () => {
    const { it: events } = subscription();
    const next = events.next();
    await settle();
    feeds.close();
    await expect(next).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe("EventQueue", () => {
  const event = (seq: number): LoggedEvent => {
    const time = new Date(0).toISOString();
    return { stream: "EVENTS", seq, subject, id: `e${seq}`, type: "t", source: "s", time, receivedAt: time, data: {} };
  };

  it("Given a reader asking twice before anything comes, When an event arrives, Then both asks share one waiter that it wakes", async () => {
    const q = new EventQueue(10);
    const a = q.wait();
    const b = q.wait();
    expect(a).toBe(b);
    expect(q.waiting).toBe(1);
    q.event(event(1));
    await a;
    expect(q.waiting).toBe(0);
    expect(q.shift()?.seq).toBe(1);
  });

  it("Given a queue closed while its reader was elsewhere, When the reader asks to wait, Then it is not left waiting", async () => {
    const q = new EventQueue(10);
    q.event(event(1));
    q.close();
    expect(q.shift()).toBeUndefined();
    await q.wait();
    expect(q.waiting).toBe(0);
    q.event(event(2));
    expect(q.size).toBe(0);
  });

  it("Given a reader that fell `limit` events behind, When one more arrives, Then the queue fails and wakes it", async () => {
    const q = new EventQueue(3);
    const waited = q.wait();
    for (let seq = 1; seq <= 4; seq++) q.event(event(seq));
    await waited;
    expect(q.size).toBe(3);
    expect(q.failure).toBeInstanceOf(UnavailableError);
  });
});
