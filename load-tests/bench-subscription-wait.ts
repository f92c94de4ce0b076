/**
 * Heap held by one open subscription after it has passed N live events on, one at a time: the subscriptions'
 * queue (bff/live/event-queue.ts, woken by the next event or by close) against a baseline in the same run that
 * waits as subscriptions used to, racing the queue with the long-lived stop promise (one reaction added to it per
 * event, kept until the subscription ends). Both read the same in-memory tail through the same shared feed; only
 * the wait differs. Figures are heap growth after a full GC, with the subscription still open; the load average
 * is printed with them.
 * Run: `npx node --expose-gc load-tests/bench-subscription-wait.ts [-- --events 100000,300000]`.
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { Repeater } from "graphql-yoga";
import { EventQueue } from "../bff/live/event-queue.ts";
import { LiveFeeds } from "../bff/live/live-feed.ts";
import { liveEvents, MAX_BEHIND } from "../bff/live/replay-then-watch.ts";
import { MemoryTail } from "../bff/live/test-support.ts";
import type { LoggedEvent } from "../core/event-log.ts";
import { subjects } from "../core/subjects.ts";

const { values } = parseArgs({ options: { events: { type: "string", default: "100000,300000" } } });
const COUNTS = values.events.split(",").map(Number);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
const subject = subjects.event("bench-1", "reading");
const filter = [subjects.thingAll("bench-1")];

/** The baseline: the live loop of a subscription that waits by racing its queue with `stop`. */
function racingStop(feeds: LiveFeeds): AsyncIterableIterator<LoggedEvent> {
  return new Repeater<LoggedEvent>(async (push, stop) => {
    const queue = new EventQueue(MAX_BEHIND);
    void stop.then(() => queue.close());
    const joined = await feeds.of("EVENTS").subscribe(filter, queue);
    try {
      while (!queue.closed) {
        for (let e = queue.shift(); e !== undefined; e = queue.shift()) await push(e);
        await Promise.race([queue.wait(), stop]);
      }
    } finally {
      joined.unsubscribe();
      stop();
    }
  });
}

type Subscribe = (tail: MemoryTail, feeds: LiveFeeds) => AsyncIterableIterator<LoggedEvent>;
const variants: [string, Subscribe][] = [
  ["racing stop (baseline)", (_tail, feeds) => racingStop(feeds)],
  [
    "event queue (liveEvents)",
    (tail, feeds) => liveEvents({ log: tail, feeds }, { stream: "EVENTS", filter }, (e) => e),
  ],
];

/** Heap growth in MiB after `n` events through one subscription that is still open, and the time it took. */
async function run(subscribe: Subscribe, n: number): Promise<{ mib: number; ms: number }> {
  const tail = new MemoryTail();
  const feeds = new LiveFeeds(tail);
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const it = subscribe(tail, feeds);
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const next = it.next();
    // Lets the reader reach its wait before the event comes, as a subscriber to a quiet Thing does.
    await new Promise<void>((r) => setImmediate(r));
    tail.emit(subject);
    await next;
  }
  const ms = performance.now() - started;
  gc?.();
  const mib = (process.memoryUsage().heapUsed - before) / 2 ** 20;
  await it.return?.();
  feeds.close();
  return { mib, ms };
}

console.log(`load average at start: ${load()}`);
console.log("| wait | events | heap growth, subscription open (MiB) | µs per event | load average |");
console.log("|---|---|---|---|---|");
for (const n of COUNTS) {
  for (const [name, subscribe] of variants) {
    const { mib, ms } = await run(subscribe, n);
    console.log(`| ${name} | ${n} | ${mib.toFixed(2)} | ${((ms * 1000) / n).toFixed(1)} | ${load()} |`);
  }
}
