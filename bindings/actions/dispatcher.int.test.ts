import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import { NotFoundError } from "../../core/errors.ts";
import { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { createLogger } from "../../core/log.ts";
import { subjects } from "../../core/subjects.ts";
import { startTestNats, type TestNats } from "../../test/harness/index.ts";
import { ThingOwnership } from "../shared/ownership.ts";
import { eventsIn, waitForEvents } from "../shared/testing.ts";
import { type ActionChannel, ActionDispatcher, type DeliveryPolicy, type PendingAction } from "./dispatcher.ts";

let nats: TestNats;
let log: JetStreamEventLog;
let ownership: ThingOwnership;
const logger = createLogger("error");
const policies: Record<string, DeliveryPolicy> = {
  "dev-ordered": { mode: "ordered" },
  "dev-merge": { mode: "all", mergePropertyWrites: true },
  "dev-ttl": { mode: "all", defaultTtlMs: 300 },
};
const open = () =>
  ActionDispatcher.open({
    log,
    ownerOf: (t) => ownership.ownerOf(t),
    logger,
    policy: (d) => policies[d] ?? { mode: "all" },
    queueGraceMs: 50,
    sweepMs: 50,
  });

beforeAll(async () => {
  nats = await startTestNats();
  log = await JetStreamEventLog.open({ servers: nats.url, settings: loadConfig({}) });
  for (const device of ["dev-1", "dev-2", "dev-ordered", "dev-merge", "dev-ttl"]) {
    const thing = `thing-of-${device}`;
    await log.append({
      subject: subjects.thingTd(thing),
      type: "spokes.ThingDescribed",
      data: { id: thing, title: thing },
      source: `devices/${device}`,
    });
  }
  ownership = await ThingOwnership.open(log, logger);
}, 60_000);
afterAll(async () => {
  await ownership?.close();
  await log?.close();
  await nats?.stop();
});

/** The binding side of a device: records what it is given and acknowledges it. */
function recordingChannel(): ActionChannel & { got: PendingAction[] } {
  const got: PendingAction[] = [];
  return {
    via: "test",
    got,
    async deliver(actions) {
      got.push(...actions);
      return actions.length;
    },
  };
}

const request = (device: string, actionId: string, o: { name?: string; ttlMs?: number; input?: unknown } = {}) =>
  log.append({
    subject: subjects.actionRequest(`thing-of-${device}`, o.name ?? "dim"),
    type: "spokes.ActionRequested",
    data: { actionId, ...(o.input === undefined ? {} : { input: o.input }), ...(o.ttlMs ? { ttlMs: o.ttlMs } : {}) },
  });
const states = async (...ids: string[]) =>
  (
    await eventsIn(
      log,
      "ACTIONS",
      ids.map((id) => `actions.${id}.*`),
    )
  ).map((e) => e.subject);
const until = async (check: () => boolean) => {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  expect(check()).toBe(true);
};

describe("the action dispatcher", () => {
  it("Given actions requested while the device is away, when it becomes reachable, then they are delivered in request order after being queued", async () => {
    const d = await open();
    await request("dev-1", "a1");
    await request("dev-1", "a2", { input: { level: 2 } });
    await waitForEvents(log, "ACTIONS", (e) => e.length === 2, { filter: ["actions.a1.*", "actions.a2.*"] });
    const channel = recordingChannel();
    const detach = d.attach("dev-1", channel);
    await until(() => channel.got.length === 2);
    expect(channel.got).toMatchObject([
      { actionId: "a1", thing: "thing-of-dev-1", name: "dim" },
      { actionId: "a2", input: { level: 2 } },
    ]);
    await waitForEvents(log, "ACTIONS", (e) => e.length === 4, { filter: ["actions.a1.*", "actions.a2.*"] });
    expect(await states("a1", "a2")).toEqual([
      "actions.a1.queued",
      "actions.a2.queued",
      "actions.a1.delivered",
      "actions.a2.delivered",
    ]);
    detach();
    await d.close();
  });

  it("Given a device that answers before its transport acknowledgement is processed, when the reply is reported, then Delivered is still recorded, before Completed, once", async () => {
    const d = await open();
    let acknowledge: (n: number) => void = () => {};
    const got: PendingAction[] = [];
    const detach = d.attach("dev-1", {
      via: "test",
      deliver: (actions) => {
        got.push(...actions);
        return new Promise<number>((resolve) => {
          acknowledge = resolve;
        });
      },
    });
    await request("dev-1", "early-1");
    await until(() => got.length === 1);
    await d.report("dev-1", { actionId: "early-1", status: "completed" }, "test");
    acknowledge(1);
    await waitForEvents(log, "ACTIONS", (e) => e.some((x) => x.subject === "actions.early-1.completed"), {
      filter: "actions.early-1.*",
    });
    await new Promise((r) => setTimeout(r, 200));
    const lifecycle = (await eventsIn(log, "ACTIONS", ["actions.early-1.*"])).filter(
      (e) => e.subject !== "actions.early-1.queued",
    );
    expect(lifecycle.map((e) => e.subject)).toEqual(["actions.early-1.delivered", "actions.early-1.completed"]);
    expect(lifecycle[0]?.data).toMatchObject({ via: "test" });
    detach();
    await d.close();
  });

  it("Given an action whose time to live runs out while the device is away, when the device comes back, then it is never delivered and is recorded expired", async () => {
    const d = await open();
    await request("dev-2", "e1", { ttlMs: 200 });
    await request("dev-2", "e2");
    await waitForEvents(log, "ACTIONS", (e) => e.some((x) => x.subject === "actions.e1.expired"), {
      filter: "actions.e1.*",
    });
    const channel = recordingChannel();
    d.attach("dev-2", channel);
    await until(() => channel.got.length === 1);
    expect(channel.got.map((a) => a.actionId)).toEqual(["e2"]);
    expect(await states("e1")).toEqual(["actions.e1.queued", "actions.e1.expired"]);
    await d.close();
  });

  it("Given a device's default time to live, when a request names none, then it expires after that time", async () => {
    const d = await open();
    await request("dev-ttl", "t1");
    await waitForEvents(log, "ACTIONS", (e) => e.some((x) => x.subject === "actions.t1.expired"), {
      filter: "actions.t1.*",
    });
    expect(d.pendingFor("dev-ttl")).toEqual([]);
    await d.close();
  });

  it("Given queued actions, when the dispatcher and then nats-server restart, then the queue survives and is delivered once, in order", async () => {
    let d = await open();
    await request("dev-1", "r1");
    await request("dev-1", "r2");
    await waitForEvents(log, "ACTIONS", (e) => e.length === 2, { filter: ["actions.r1.*", "actions.r2.*"] });
    await d.close();
    d = await open();
    expect(d.pendingFor("dev-1").map((a) => a.actionId)).toEqual(["r1", "r2"]);
    await nats.restart();
    // The running dispatcher keeps its state and its watch across the server's restart.
    for (let i = 0; i < 100; i++) {
      if (
        await log.stats().then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const channel = recordingChannel();
    d.attach("dev-1", channel);
    await until(() => channel.got.length === 2);
    await request("dev-1", "r3");
    await until(() => channel.got.length === 3);
    expect(channel.got.map((a) => a.actionId)).toEqual(["r1", "r2", "r3"]);
    await waitForEvents(log, "ACTIONS", (e) => e.filter((x) => x.subject.endsWith(".delivered")).length === 3, {
      filter: ["actions.r1.*", "actions.r2.*", "actions.r3.*"],
    });
    await d.close();
  });

  it("Given ordered delivery, when two actions wait, then the second is delivered only after the device replied to the first", async () => {
    const d = await open();
    await request("dev-ordered", "o1");
    await request("dev-ordered", "o2");
    const channel = recordingChannel();
    d.attach("dev-ordered", channel);
    await until(() => channel.got.length === 1);
    await waitForEvents(log, "ACTIONS", (e) => e.length >= 1, { filter: "actions.o1.delivered" });
    expect(channel.got.map((a) => a.actionId)).toEqual(["o1"]);
    await d.report("dev-ordered", { actionId: "o1", status: "completed", output: 7 });
    await until(() => channel.got.length === 2);
    expect(channel.got.map((a) => a.actionId)).toEqual(["o1", "o2"]);
    await d.close();
  });

  it("Given merged property writes, when three writes of one property wait, then only the latest is delivered and the others are cancelled", async () => {
    const d = await open();
    for (const [id, v] of [
      ["w1", 1],
      ["w2", 2],
      ["w3", 3],
    ] as const) {
      await request("dev-merge", id, { name: "writeproperty:level", input: v });
    }
    await request("dev-merge", "w-other", { name: "writeproperty:mode", input: "eco" });
    await waitForEvents(log, "ACTIONS", (e) => e.length === 4, {
      filter: ["actions.w1.*", "actions.w2.*", "actions.w3.*", "actions.w-other.*"],
    });
    const channel = recordingChannel();
    d.attach("dev-merge", channel);
    await until(() => channel.got.length === 2);
    expect(channel.got.map((a) => [a.actionId, a.input])).toEqual([
      ["w3", 3],
      ["w-other", "eco"],
    ]);
    const cancelled = await waitForEvents(log, "ACTIONS", (e) => e.length === 2, {
      filter: ["actions.w1.cancelled", "actions.w2.cancelled"],
    });
    expect(cancelled.map((e) => e.data)).toMatchObject([{ by: "w3" }, { by: "w3" }]);
    await d.close();
  });

  it("Given an action of one device's Thing, when another device reports on it, then it is refused as not found", async () => {
    const d = await open();
    await request("dev-1", "x1");
    await until(() => d.pendingFor("dev-1").some((a) => a.actionId === "x1"));
    await expect(d.report("dev-2", { actionId: "x1", status: "completed" })).rejects.toBeInstanceOf(NotFoundError);
    await d.report("dev-1", { actionId: "x1", status: "failed", error: "jammed" });
    await d.report("dev-1", { actionId: "x1", status: "failed", error: "jammed" });
    await waitForEvents(log, "ACTIONS", (e) => e.some((x) => x.subject === "actions.x1.failed"), {
      filter: "actions.x1.*",
    });
    expect((await states("x1")).filter((s) => s.endsWith(".failed"))).toHaveLength(1);
    await d.close();
  });
});
