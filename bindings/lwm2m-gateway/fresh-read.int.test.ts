/**
 * Reads that ask the device: a stored value older than the maximum age makes the gateway append
 * `readproperty:{name}` and wait for the device's report. The device here follows ACTIONS and answers through the
 * log, as a binding would store what its device publishes (the whole MQTT path is in
 * test/e2e/lwm2m-gateway.e2e.test.ts). Real nats-server, real Leshan, real UDP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LoggedEvent } from "../../core/event-log.ts";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import type { GatewayMapping } from "../../core/lwm2m-gateway-mapping.ts";
import { subjects } from "../../core/subjects.ts";
import type { TestNats } from "../../test/harness/index.ts";
import { type LeshanServer, startLeshanServer } from "../../test/peers/leshan-server/leshan-server.ts";
import type { Lwm2mGateway } from "./gateway.ts";
import { AFFORDANCE_OBJECT, startTestLog, stopAll, testGateway } from "./testing.ts";

const METER = "urn:dev:meter-1";
const EP = "spokes-gateway-fresh";
const HOUR_AGO = () => new Date(Date.now() - 3_600_000);
/** Every action request of the meter. */
const ALL_REQUESTS = subjects.actionRequest(METER, "x").replace(/x$/, "*");

const mapping: GatewayMapping = {
  firstObjectId: 26241,
  exposures: [
    { thing: METER, kind: "property", name: "reading", type: "integer" }, // /26241/0/2: the device answers
    { thing: METER, kind: "property", name: "setpoint", type: "integer" }, // /26241/1/2: the device is silent
    { thing: METER, kind: "property", name: "serial", type: "integer" }, // /26241/2/2: no value, silent
    { thing: METER, kind: "property", name: "level", type: "integer" }, // /26241/3/2: fresh value
    { thing: METER, kind: "event", name: "pulse", type: "integer" }, // /26241/4/2: an event, never asked
  ],
};

let nats: TestNats;
let log: JetStreamEventLog;
let leshan: LeshanServer;
let gateway: Lwm2mGateway;
const device = new AbortController();
/** What the device reports when asked for `reading`. */
let nextReading = 0;

const report = (name: string, value: unknown, time?: Date) =>
  log.append({
    subject: subjects.property(METER, name),
    type: "spokes.PropertyReported",
    data: value,
    source: "devices/meter-dev",
    ...(time ? { time } : {}),
  });

/** The device: answers `readproperty:reading` by reporting the value and completing the request; ignores others. */
async function runDevice(): Promise<void> {
  try {
    for await (const e of log.watch({
      stream: "ACTIONS",
      filter: ALL_REQUESTS,
      signal: device.signal,
    })) {
      const { actionId } = e.data as { actionId: string };
      if (e.subject !== subjects.actionRequest(METER, "readproperty:reading")) continue;
      await report("reading", nextReading);
      await log.append({
        subject: subjects.actionState(actionId, "completed"),
        type: "spokes.ActionCompleted",
        data: { thing: METER, name: "readproperty:reading" },
        source: "devices/meter-dev",
      });
    }
  } catch (err) {
    if (!device.signal.aborted) throw err;
  }
}

/** The action requests named `name` stored so far. */
async function requestsFor(name?: string): Promise<LoggedEvent[]> {
  const out: LoggedEvent[] = [];
  const filter = name === undefined ? ALL_REQUESTS : subjects.actionRequest(METER, name);
  for await (const e of log.read({ stream: "ACTIONS", filter })) out.push(e);
  return out;
}

beforeAll(async () => {
  ({ nats, log } = await startTestLog());
  leshan = await startLeshanServer();
  await leshan.addModel(26241, AFFORDANCE_OBJECT);
  await report("reading", 10, HOUR_AGO());
  await report("setpoint", 18, HOUR_AGO());
  await report("level", 5);
  await log.append({
    subject: subjects.event(METER, "pulse"),
    type: "spokes.EventEmitted",
    data: 3,
    source: "devices/meter-dev",
    time: HOUR_AGO(),
  });
  void runDevice();
  gateway = await testGateway({
    log,
    serverUrl: leshan.url,
    endpoint: EP,
    lifetimeSeconds: 30,
    notifyIntervalSeconds: 60,
    seed: mapping,
    freshness: { maxAgeMs: 600_000, readWaitMs: 1_500 },
  });
  await gateway.start();
  await leshan.waitFor((e) => e.kind === "registered" && e.endpoint === EP);
}, 120_000);

afterAll(async () => {
  device.abort();
  await stopAll(gateway, leshan, log, nats);
});

describe("a Read of a stale property asks the device", () => {
  it("Given a value an hour old and a device that answers, When Leshan reads, Then it gets the device's fresh value", async () => {
    nextReading = 11;
    const r = await leshan.call(EP, "read", { path: "/26241/0/2", format: "TEXT" });
    expect(r).toMatchObject({ code: "CONTENT", content: { value: 11 } });
    const [request] = await requestsFor("readproperty:reading");
    expect(request).toMatchObject({
      type: "spokes.ActionRequested",
      source: `lwm2m-gateway/${EP}`,
      data: { op: "readproperty", ttlMs: 1_500, requestedBy: EP },
    });
    expect(request?.data).not.toHaveProperty("input");
  });

  it("Given the value the device just reported, When Leshan reads again, Then it is fresh and the device is not asked again", async () => {
    const r = await leshan.call(EP, "read", { path: "/26241/0/2", format: "TEXT" });
    expect(r).toMatchObject({ code: "CONTENT", content: { value: 11 } });
    expect(await requestsFor("readproperty:reading")).toHaveLength(1);
  });

  it("Given a value an hour old and a device that does not answer, When Leshan reads, Then it gets the stored value after the wait", async () => {
    const r = await leshan.call(EP, "read", { path: "/26241/1/2", format: "TEXT" });
    expect(r).toMatchObject({ code: "CONTENT", content: { value: 18 } });
    expect(await requestsFor("readproperty:setpoint")).toHaveLength(1);
  });

  it("Given no value at all and a device that does not answer, When Leshan reads, Then it gets 4.04", async () => {
    const r = await leshan.call(EP, "read", { path: "/26241/2/2", format: "TEXT" });
    expect(r.code).toBe("NOT_FOUND");
    expect(await requestsFor("readproperty:serial")).toHaveLength(1);
  });

  it("Given a fresh value and a stale event, When Leshan reads them, Then they are answered as stored without asking", async () => {
    expect(await leshan.call(EP, "read", { path: "/26241/3/2", format: "TEXT" })).toMatchObject({
      code: "CONTENT",
      content: { value: 5 },
    });
    expect(await leshan.call(EP, "read", { path: "/26241/4/2", format: "TEXT" })).toMatchObject({
      code: "CONTENT",
      content: { value: 3 },
    });
    expect(await requestsFor("readproperty:level")).toEqual([]);
    expect(await requestsFor("readproperty:pulse")).toEqual([]);
  });

  it("Given three stale properties, When Leshan reads the whole object, Then all are asked at once and the answered one is fresh", async () => {
    nextReading = 12;
    await report("reading", 10, HOUR_AGO());
    const before = (await requestsFor()).length;
    const r = await leshan.call(EP, "read", { path: "/26241", format: "TLV" });
    expect(r.code).toBe("CONTENT");
    const values = Object.fromEntries(
      (r.content?.kind === "object" ? r.content.instances : []).flatMap((i) =>
        i.kind === "instance" ? i.resources.map((res) => [i.id, res.kind === "resource" ? res.value : undefined]) : [],
      ),
    );
    expect(values).toEqual({ 0: 12, 1: 18, 3: 5, 4: 3 });
    expect(
      (await requestsFor())
        .slice(before)
        .map((e) => e.subject)
        .sort(),
    ).toEqual(["reading", "serial", "setpoint"].map((n) => subjects.actionRequest(METER, `readproperty:${n}`)).sort());
  });

  it("Given a stale value, When Leshan observes it, Then the observation answers the stored value without asking", async () => {
    await report("reading", 10, HOUR_AGO());
    const before = (await requestsFor("readproperty:reading")).length;
    const r = await leshan.call(EP, "observe", { path: "/26241/0/2", format: "TEXT" });
    expect(r).toMatchObject({ code: "CONTENT", content: { value: 10 } });
    expect(await requestsFor("readproperty:reading")).toHaveLength(before);
    await leshan.call(EP, "cancel-observe", { path: "/26241/0/2" });
  });
});
