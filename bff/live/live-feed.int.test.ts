import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import type { AppendRequest } from "../../core/event-log.ts";
import { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { subjects } from "../../core/subjects.ts";
import { waitFor } from "../../projections/test-support.ts";
import { startTestNats, type TestNats } from "../../test/harness/index.ts";
import { LiveFeeds } from "./live-feed.ts";
import { type Live, liveEvents } from "./replay-then-watch.ts";

let nats: TestNats;
let log: JetStreamEventLog;
let live: Live;
beforeAll(async () => {
  nats = await startTestNats();
  log = await JetStreamEventLog.open({ servers: nats.url, settings: loadConfig({}) });
  live = { log, feeds: new LiveFeeds(log) };
}, 60_000);
afterAll(async () => {
  live?.feeds.close();
  await log?.close();
  await nats?.stop();
});

const reading = (thing: string, i: number): AppendRequest => ({
  subject: subjects.event(thing, "reading"),
  type: "spokes.EventEmitted",
  data: { i },
});

/** Reads `n` values from an iterator, then ends it. */
async function first<T>(it: AsyncIterableIterator<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  if (n === 0) return out;
  for await (const v of it) {
    out.push(v);
    if (out.length === n) break;
  }
  return out;
}

const joined = (n: number) => waitFor(() => live.feeds.of("EVENTS").listeners === n, 10_000, `${n} listeners`);

const seqAndI = (e: { seq: number; data: unknown }) => [e.seq, (e.data as { i: number }).i];

describe("shared live feed", () => {
  it("Given 40 subscribers on 20 Things, When events arrive, Then each gets exactly its Thing's events, in order, from one consumer", async () => {
    const things = Array.from({ length: 20 }, (_, k) => `feed-${k}`);
    const subs = [...things, ...things].map((thing) =>
      liveEvents(live, { stream: "EVENTS", filter: [subjects.thingAll(thing)] }, (e) => e),
    );
    // A subscription joins the feed when first read; start reading, then wait until all have joined.
    const reads = subs.map((s) => first(s, 5));
    await joined(40);
    const appended = await log.appendMany(
      Array.from({ length: 100 }, (_, i) => reading(things[i % things.length] as string, i)),
    );
    const got = await Promise.all(reads);
    for (const [k, events] of got.entries()) {
      const thing = things[k % things.length] as string;
      const expected = appended.filter((_, i) => i % things.length === k % things.length).map((a) => a.seq);
      expect(events.map((e) => e.seq)).toEqual(expected);
      expect(events.every((e) => e.subject === subjects.event(thing, "reading"))).toBe(true);
    }
    const consumers = [];
    for await (const c of await log.jsm.consumers.list("EVENTS")) consumers.push(c);
    expect(consumers.length).toBe(1);
  });

  it("Given appends running while a subscriber joins with since, When it reads, Then history and live tail meet with no gap and no repeat", async () => {
    const thing = "seam-1";
    const before = await log.appendMany(Array.from({ length: 200 }, (_, i) => reading(thing, i)));
    const since = (before[0] as { seq: number }).seq;
    const during = (async () => {
      for (let i = 200; i < 600; i += 20) {
        await log.appendMany(Array.from({ length: 20 }, (_, j) => reading(thing, i + j)));
      }
    })();
    const events = await first(
      liveEvents(live, { stream: "EVENTS", filter: [subjects.thingAll(thing)], since }, (e) => e),
      600,
    );
    await during;
    expect(events.map((e) => seqAndI(e)[1])).toEqual(Array.from({ length: 600 }, (_, i) => i));
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it("Given a subscriber that ended, When more events arrive, Then the feed no longer hands it any and others go on", async () => {
    const ended = liveEvents(live, { stream: "EVENTS", filter: [subjects.thingAll("gone-1")] }, (e) => e);
    const stays = liveEvents(live, { stream: "EVENTS", filter: [subjects.thingAll("stays-1")] }, (e) => e);
    const staying = first(stays, 2);
    const gone = first(ended, 1);
    await joined(2);
    await log.append(reading("gone-1", 1));
    expect((await gone).length).toBe(1);
    await log.appendMany([reading("gone-1", 2), reading("stays-1", 3), reading("stays-1", 4)]);
    expect((await staying).map((e) => seqAndI(e)[1])).toEqual([3, 4]);
  });
});
