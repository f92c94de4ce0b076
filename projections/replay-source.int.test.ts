import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.ts";
import { UnavailableError } from "../core/errors.ts";
import type { LoggedEvent } from "../core/event-log.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { subjects } from "../core/subjects.ts";
import { startTestNats, type TestNats } from "../test/harness/index.ts";
import { history } from "./history/projection.ts";
import { readBatches } from "./replay-source.ts";
import { twin } from "./twin/projection.ts";

describe("the replay's reader against a real nats-server", () => {
  let nats: TestNats;
  let log: JetStreamEventLog;

  beforeAll(async () => {
    nats = await startTestNats();
    log = await JetStreamEventLog.open({ servers: nats.url, settings: loadConfig({}) });
    await log.appendMany(
      Array.from({ length: 5000 }, (_, i) => ({
        subject: subjects.property(`t${i % 7}`, "level"),
        type: "spokes.PropertyReported",
        data: { i },
      })),
    );
  });
  afterAll(async () => {
    await log?.close();
    await nats?.stop();
  });

  const consumers = async () => {
    const names: string[] = [];
    for await (const c of log.jsm.consumers.list("EVENTS")) names.push(c.name);
    return names;
  };

  it("Given 5,000 events, When a range is read in batches, Then each event in it comes once, in order, and the reader's consumer is gone after", async () => {
    const seqs: number[] = [];
    for await (const batch of readBatches(log, history, 101, 4600, 1000)) {
      expect(batch.length).toBeLessThanOrEqual(1000);
      seqs.push(...batch.map((e) => e.seq));
    }
    expect(seqs).toEqual(Array.from({ length: 4500 }, (_, k) => 101 + k));
    expect(await consumers()).toEqual([]);
  });

  it("Given a range past the head, When read, Then it ends at the head with every payload decoded", async () => {
    const events: LoggedEvent[] = [];
    for await (const batch of readBatches(log, twin, 4990, 9000, 1000)) events.push(...batch);
    expect(events.map((e) => [e.seq, e.data])).toEqual(
      Array.from({ length: 11 }, (_, k) => [4990 + k, { i: 4989 + k }]),
    );
    expect(events[0]).toMatchObject({ type: "spokes.PropertyReported", subject: subjects.property("t5", "level") });
  });

  it("Given the reader's consumer removed in the middle, When reading goes on, Then the read fails as unavailable", async () => {
    const read = async () => {
      let first = true;
      for await (const _ of readBatches(log, history, 1, 5000, 500)) {
        if (!first) continue;
        first = false;
        for (const name of await consumers()) await log.jsm.consumers.delete("EVENTS", name);
      }
    };
    await expect(read()).rejects.toBeInstanceOf(UnavailableError);
  });
});
