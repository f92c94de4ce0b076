import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import { ValidationError } from "../../core/errors.ts";
import { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { subjects } from "../../core/subjects.ts";
import { startTestNats, type TestNats } from "../../test/harness/index.ts";
import { AppendPipeline } from "./append-pipeline.ts";
import { eventsIn } from "./testing.ts";

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

  it("Given a value larger than the pipeline's limit, When appended, Then it is refused at once", () => {
    const pipeline = new AppendPipeline(log, { limits: { maxPayloadBytes: 8 } });
    expect(() => pipeline.append({ ...value("big", 0), data: { text: "x".repeat(100) } })).toThrow(/limit is 8/);
  });
});
