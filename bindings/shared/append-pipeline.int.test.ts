import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import { ValidationError } from "../../core/errors.ts";
import type { EventLog } from "../../core/event-log.ts";
import { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { subjects } from "../../core/subjects.ts";
import { startTestNats, type TestNats } from "../../test/harness/index.ts";
import { AppendPipeline } from "./append-pipeline.ts";
import { eventsIn, waitForEvents } from "./testing.ts";

describe("AppendPipeline against a real nats-server", () => {
  let nats: TestNats;
  let log: JetStreamEventLog;

  beforeAll(async () => {
    nats = await startTestNats();
    log = await JetStreamEventLog.open({ servers: nats.url, settings: loadConfig({}) });
  });
  afterAll(async () => {
    await log?.close();
    await nats?.stop();
  });

  const value = (thing: string, i: number) => ({
    subject: subjects.event(thing, "reading"),
    type: "spokes.EventEmitted",
    data: { i },
    source: "devices/dev-1",
  });

  it("Given more values than the window at once, When appended, Then each resolves once stored and all are stored in call order", async () => {
    const pipeline = new AppendPipeline(log, { window: 3 });
    const appends = Array.from({ length: 50 }, (_, i) => pipeline.append(value("order", i)));
    await Promise.all(appends);
    const stored = await eventsIn(log, "EVENTS", subjects.event("order", "reading"));
    expect(stored.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("Given a bad value among good ones, When appended, Then it alone is refused at once and its neighbours are stored", async () => {
    const pipeline = new AppendPipeline(log, { window: 2 });
    const first = pipeline.append(value("mixed", 0));
    expect(() => pipeline.append({ ...value("mixed", 1), type: "spokes.NoSuchEvent" })).toThrow(ValidationError);
    const last = pipeline.append(value("mixed", 2));
    await Promise.all([first, last]);
    const stored = await eventsIn(log, "EVENTS", subjects.event("mixed", "reading"));
    expect(stored.map((e) => (e.data as { i: number }).i)).toEqual([0, 2]);
  });

  it("Given values sent without acknowledgement among acknowledged ones beyond the window, When appended, Then all are stored once, in call order", async () => {
    const pipeline = new AppendPipeline(log, { window: 2 });
    const appends = Array.from({ length: 60 }, (_, i) =>
      pipeline.append(value("unacked", i), { acknowledged: i % 3 === 0 }),
    );
    const results = await Promise.all(appends);
    // Acknowledged values resolve with their place in the stream; the others once the server has read them.
    expect(results.filter((r) => r === undefined)).toHaveLength(40);
    // Read by the server is not yet stored: JetStream stores from its own queue, so wait for the last ones.
    const stored = await waitForEvents(log, "EVENTS", (events) => events.length >= 60, {
      filter: subjects.event("unacked", "reading"),
    });
    expect(stored.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(stored.every((e) => e.type === "spokes.EventEmitted" && e.source === "devices/dev-1")).toBe(true);
    expect(new Set(stored.map((e) => e.id)).size).toBe(60);
  });

  it("Given a bad value sent without acknowledgement, When appended, Then it is refused at once like any other", () => {
    const pipeline = new AppendPipeline(log);
    expect(() => pipeline.append({ ...value("unacked-bad", 0), data: Number.NaN }, { acknowledged: false })).toThrow(
      ValidationError,
    );
  });

  it("Given a conditional append, When sent without acknowledgement, Then the event log refuses it", () => {
    expect(() => log.appendUnacknowledged({ ...value("conditional", 0), expectedLastSubjectSeq: 0 })).toThrow(
      /needs JetStream's acknowledgement/,
    );
  });

  it("Given an event log that cannot send without acknowledgement, When a value asks for it, Then it is stored acknowledged", async () => {
    const plain = { append: log.append.bind(log) } as unknown as EventLog;
    const pipeline = new AppendPipeline(plain);
    const result = await pipeline.append(value("fallback", 0), { acknowledged: false });
    expect(result).toMatchObject({ stream: "EVENTS" });
  });

  it("Given a value larger than the pipeline's limit, When appended, Then it is refused at once", () => {
    const pipeline = new AppendPipeline(log, { limits: { maxPayloadBytes: 8 } });
    expect(() => pipeline.append({ ...value("big", 0), data: { text: "x".repeat(100) } })).toThrow(/limit is 8/);
  });
});
