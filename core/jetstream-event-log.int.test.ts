import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestNats, type TestNats } from "../test/harness/index.ts";
import { loadConfig } from "./config.ts";
import { ConflictError, ValidationError } from "./errors.ts";
import type { LoggedEvent } from "./event-log.ts";
import { JetStreamEventLog } from "./jetstream-event-log.ts";
import { subjects } from "./subjects.ts";

const settings = loadConfig({});
const thing = "urn:dev:ops:lamp.1 kitchen";
const td = { id: thing, title: "Kitchen lamp", properties: { on: { type: "boolean" } }, events: { overheated: {} } };

async function collect(it: AsyncIterable<LoggedEvent>): Promise<LoggedEvent[]> {
  const out: LoggedEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe("JetStreamEventLog against a real nats-server", () => {
  let nats: TestNats;
  let log: JetStreamEventLog;

  beforeAll(async () => {
    nats = await startTestNats();
    log = await JetStreamEventLog.open({ servers: nats.url, settings });
  });
  afterAll(async () => {
    await log?.close();
    await nats?.stop();
  });

  it("stores a TD and an event and reads them back with their metadata", async () => {
    const a = await log.append({ subject: subjects.thingTd(thing), type: "spokes.ThingDescribed", data: td });
    const b = await log.append({
      subject: subjects.event(thing, "overheated"),
      type: "spokes.EventEmitted",
      data: { celsius: 81.5 },
      source: "test/device-1",
      time: "2001-01-01T00:00:00Z",
    });
    expect([a.stream, b.stream]).toEqual(["THINGS", "EVENTS"]);
    const [tdEvent] = await collect(log.read({ stream: "THINGS", filter: subjects.thingTd(thing) }));
    expect(tdEvent).toMatchObject({ seq: a.seq, id: a.id, type: "spokes.ThingDescribed", data: td });
    const [event] = await collect(log.read({ stream: "EVENTS", from: b.seq }));
    expect(event).toMatchObject({ id: b.id, source: "test/device-1", data: { celsius: 81.5 } });
    // A timestamp from 2001 is not sane: the hub's receive time is used for both.
    expect(event?.time).toBe(event?.receivedAt);
  });

  it("stores an event appended twice with the same id once", async () => {
    const req = { subject: subjects.property(thing, "on"), type: "spokes.PropertyReported", data: true, id: "dup-1" };
    const first = await log.append(req);
    const second = await log.append(req);
    expect(first.duplicate).toBe(false);
    expect(second).toMatchObject({ duplicate: true, seq: first.seq });
    const stored = await collect(log.read({ stream: "EVENTS", filter: subjects.property(thing, "on") }));
    expect(stored.filter((e) => e.id === "dup-1")).toHaveLength(1);
  });

  it("refuses an append whose expected subject sequence is stale with a ConflictError", async () => {
    const subject = subjects.group("kitchen");
    const created = await log.append({ subject, type: "spokes.GroupCreated", data: {}, expectedLastSubjectSeq: 0 });
    await log.append({
      subject,
      type: "spokes.ThingAddedToGroup",
      data: { thing },
      expectedLastSubjectSeq: created.seq,
    });
    const stale = log.append({ subject, type: "spokes.GroupDeleted", data: {}, expectedLastSubjectSeq: created.seq });
    await expect(stale).rejects.toBeInstanceOf(ConflictError);
    await expect(
      log.append({ subject, type: "spokes.GroupCreated", data: {}, expectedLastSubjectSeq: 0 }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it("appends many in order and validates all of them before storing any", async () => {
    const reqs = Array.from({ length: 500 }, (_, i) => ({
      subject: subjects.event("meter", "tick"),
      type: "spokes.EventEmitted",
      data: { i },
    }));
    const results = await log.appendMany(reqs);
    expect(results.map((r) => r.seq)).toEqual([...results.map((r) => r.seq)].sort((x, y) => x - y));
    const stored = await collect(log.read({ stream: "EVENTS", filter: subjects.event("meter", "tick") }));
    expect(stored.map((e) => (e.data as { i: number }).i)).toEqual(reqs.map((_, i) => i));

    const before = (await log.stats()).find((s) => s.stream === "EVENTS")?.messages;
    const bad = [...reqs.slice(0, 3), { subject: subjects.thingTd("x"), type: "spokes.ThingDescribed", data: {} }];
    await expect(log.appendMany(bad)).rejects.toBeInstanceOf(ValidationError);
    expect((await log.stats()).find((s) => s.stream === "EVENTS")?.messages).toBe(before);
  });

  it("bulk-appends through the server's fast-ingest batch, in order, once per id", async () => {
    const reqs = Array.from({ length: 1000 }, (_, i) => ({
      subject: subjects.event("bulk", "n"),
      type: "spokes.EventEmitted",
      data: i,
      id: `bulk-${i}`,
    }));
    const first = await log.appendBulk(reqs);
    expect(first).toMatchObject({ count: 1000, fastIngest: true });
    const stored = await collect(log.read({ stream: "EVENTS", filter: subjects.event("bulk", "n") }));
    expect(stored.map((e) => e.data)).toEqual(reqs.map((_, i) => i));
    expect(stored.at(-1)?.seq).toBe(first.lastSeq);

    const again = await log.appendBulk(reqs);
    expect(again.lastSeq).toBe(0);
    expect(await collect(log.read({ stream: "EVENTS", filter: subjects.event("bulk", "n") }))).toHaveLength(1000);

    const bad = [...reqs.slice(0, 2), { subject: subjects.event("bulk", "n"), type: "spokes.ThingDescribed", data: 1 }];
    await expect(log.appendBulk(bad)).rejects.toBeInstanceOf(ValidationError);
  });

  it("bulk-appends across streams through the pipelined path", async () => {
    const mixed = [
      { subject: subjects.event("mixed", "e"), type: "spokes.EventEmitted", data: 1 },
      { subject: subjects.group("mixed"), type: "spokes.GroupCreated", data: {} },
    ];
    const r = await log.appendBulk(mixed);
    expect(r).toMatchObject({ count: 2, fastIngest: false });
    expect(r.lastSeq).toBeGreaterThan(0);
  });

  it("rejects an oversized payload with a readable error and stores nothing", async () => {
    const big = { blob: "x".repeat(70 * 1024) };
    const attempt = log.append({ subject: subjects.event(thing, "big"), type: "spokes.EventEmitted", data: big });
    await expect(attempt).rejects.toThrow(/payload is \d+ bytes; the limit is 65536/);
  });

  it("reads with several filters only what they match", async () => {
    await log.append({ subject: subjects.event("a", "x"), type: "spokes.EventEmitted", data: 1 });
    await log.append({ subject: subjects.event("b", "x"), type: "spokes.EventEmitted", data: 2 });
    await log.append({ subject: subjects.event("c", "x"), type: "spokes.EventEmitted", data: 3 });
    const got = await collect(
      log.read({ stream: "EVENTS", filter: [subjects.event("a", "x"), subjects.event("c", "x")] }),
    );
    expect(got.map((e) => e.data)).toEqual([1, 3]);
    expect(await collect(log.read({ stream: "EVENTS", filter: subjects.event("nobody", "x") }))).toEqual([]);
  });

  it("watches new events live until aborted", async () => {
    const ac = new AbortController();
    const seen: unknown[] = [];
    const done = (async () => {
      for await (const e of log.watch({ stream: "EVENTS", filter: subjects.thingAll("watched"), signal: ac.signal })) {
        seen.push(e.data);
        if (seen.length === 2) ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    await log.append({ subject: subjects.event("watched", "e"), type: "spokes.EventEmitted", data: "one" });
    await log.append({ subject: subjects.event("other", "e"), type: "spokes.EventEmitted", data: "skip" });
    await log.append({ subject: subjects.property("watched", "p"), type: "spokes.PropertyReported", data: "two" });
    await done;
    expect(seen).toEqual(["one", "two"]);
  });

  it("creates the streams idempotently when opened again", async () => {
    const again = await JetStreamEventLog.open({ servers: nats.url, settings });
    const stats = await again.stats();
    await again.close();
    expect(stats.map((s) => s.stream)).toEqual(["THINGS", "EVENTS", "ACTIONS", "PRESENCE", "PROVISIONING", "ACCESS"]);
    expect(stats.find((s) => s.stream === "THINGS")?.messages).toBeGreaterThan(0);
  });

  it("Given a watch, when nats-server comes back before its JetStream does, then the watch goes on after the last event it gave, with none lost or repeated", async () => {
    const subject = subjects.event("watched-across", "n");
    const seen: unknown[] = [];
    const ac = new AbortController();
    const watching = (async () => {
      for await (const e of log.watch({ stream: "EVENTS", filter: subject, signal: ac.signal })) seen.push(e.data);
    })();
    const until = async (n: number) => {
      for (let i = 0; i < 500 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 20));
    };
    await new Promise((r) => setTimeout(r, 200));
    await log.append({ subject, type: "spokes.EventEmitted", data: 1 });
    await until(1);
    // For 3 s a server without JetStream answers: the watch's client reconnects to it and is refused.
    await nats.restart({ withoutJetStreamMs: 3000 });
    // Another client appends while the watch's client may still be reconnecting.
    const other = await JetStreamEventLog.open({ servers: nats.url, settings, ensure: false });
    await other.append({ subject, type: "spokes.EventEmitted", data: 2 });
    await other.append({ subject, type: "spokes.EventEmitted", data: 3 });
    await other.close();
    // Ten seconds: nats.js alone would wait 15 to 45 s before asking JetStream again.
    await until(3);
    expect(seen).toEqual([1, 2, 3]);
    ac.abort();
    await watching;
  });

  it("returns everything acknowledged before a restart of nats-server", async () => {
    const acked = await log.appendMany(
      Array.from({ length: 200 }, (_, i) => ({
        subject: subjects.event("durable", "n"),
        type: "spokes.EventEmitted",
        data: i,
      })),
    );
    await log.close();
    await nats.restart();
    log = await JetStreamEventLog.open({ servers: nats.url, settings });
    const stored = await collect(log.read({ stream: "EVENTS", filter: subjects.event("durable", "n") }));
    expect(stored.map((e) => e.seq)).toEqual(acked.map((a) => a.seq));
  });
});
