import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.ts";
import { UnavailableError } from "../core/errors.ts";
import type { LoggedEvent } from "../core/event-log.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { subjects } from "../core/subjects.ts";
import { startTestNats, type TestNats } from "../test/harness/index.ts";
import { history } from "./history/projection.ts";
import { sortOut } from "./process-batch.ts";
import { ReadyRow, type ReplayItem, readBatches } from "./replay-source.ts";
import { twin } from "./twin/projection.ts";

// Without authentication the reader subscribes on a connection of its own; with it, through the log's nats.js one.
describe.each([
  ["that asks for no password", false],
  ["that asks for a password", true],
] as const)("the replay's reader against a real nats-server %s", (_, password) => {
  let nats: TestNats;
  let log: JetStreamEventLog;

  beforeAll(async () => {
    nats = await startTestNats(password ? { args: ["--user", "spokes", "--pass", "s3cret"] } : {});
    const servers = password ? nats.url.replace("nats://", "nats://spokes:s3cret@") : nats.url;
    log = await JetStreamEventLog.open({ servers, settings: loadConfig({}) });
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

  it("Given plain values and one with a fraction, When read with history's row maker, Then on a connection of its own plain values come as rows, equal to those of their decoded events", async () => {
    await log.append({ subject: subjects.property("t1", "level"), type: "spokes.PropertyReported", data: { x: 1.5 } });
    const items: ReplayItem[] = [];
    for await (const batch of readBatches(log, history, 4995, 5001, 1000, history.bulk?.rowOf)) items.push(...batch);
    expect(items.map((i) => i.seq)).toEqual([4995, 4996, 4997, 4998, 4999, 5000, 5001]);
    const rows = items.filter((i) => i instanceof ReadyRow);
    // 1.5 is a number JavaScript may write otherwise: that value is always decoded.
    expect(items.at(-1)).toMatchObject({ seq: 5001, data: { x: 1.5 } });
    const decoded: LoggedEvent[] = [];
    for await (const batch of readBatches(log, history, 4995, 5000, 1000)) decoded.push(...batch);
    const { rows: fromEvents } = history.prepare(sortOut(decoded).valid);
    expect(fromEvents).toHaveLength(6);
    // Through nats.js every message is decoded; on the reader's own connection the six plain values come as rows.
    const asText = (r: unknown) => {
      const { day, line } = r as { day: string; line: string | Buffer };
      return { day, line: String(line) };
    };
    expect(rows.map((r) => asText(r.row))).toEqual(password ? [] : fromEvents?.map(asText));
    expect(fromEvents?.[0]).toMatchObject({
      line: expect.stringMatching(/^4995\tt3\tproperty\tlevel\t[^\t]+\t[^\t]+\t\{"i":4994\}\n$/),
    });
  });
});
