/** The LwM2M server against Eclipse Leshan clients (LwM2M 1.1 and 1.0), with a real nats-server. */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceRegistry } from "../../core/device-registry.ts";
import type { LoggedEvent } from "../../core/event-log.ts";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { type StreamName, subjects } from "../../core/subjects.ts";
import { provisionTestDevice } from "../../test/harness/devices.ts";
import { type LeshanClient, leshanAvailable, startLeshanClient } from "../../test/peers/leshan-client/leshan-client.ts";
import type { CoapWorker } from "./coap-worker.ts";
import { CONTENT_FORMAT } from "./codec/index.ts";
import { type CoapTestHub, startCoapTestHub } from "./testing/coap-hub.ts";

let hub: CoapTestHub;
let log: JetStreamEventLog;
let dataDir: string;
let registry: DeviceRegistry;
let worker: CoapWorker;
const clients: LeshanClient[] = [];

beforeAll(async () => {
  hub = await startCoapTestHub("lwm2m");
  ({ log, dataDir, registry } = hub);
  worker = await hub.worker({ awakeMs: 2000, requestTimeoutMs: 10_000, sweepMs: 200 });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await hub?.stop();
});

/** Starts a Leshan client for a device provisioned through the real provisioning flow. */
async function client(version: "1.1" | "1.0", endpoint: string, o: { lifetimeS?: number; binding?: "U" | "UQ" } = {}) {
  await provisionTestDevice(log, dataDir, endpoint);
  await registry.sync();
  const c = startLeshanClient({ version, endpoint, serverUrl: `coap://127.0.0.1:${worker.port}`, ...o });
  clients.push(c);
  return c;
}

/** Appends an action request the way the GraphQL API does. */
async function requestAction(thing: string, name: string, input?: unknown, ttlMs?: number) {
  const actionId = randomUUID();
  await log.append({
    subject: subjects.actionRequest(thing, name),
    type: "spokes.ActionRequested",
    data: { actionId, ...(input !== undefined ? { input } : {}), ...(ttlMs ? { ttlMs } : {}), requestedBy: "tester" },
  });
  return actionId;
}

/** Waits for the first event in `stream` on `filter` (from the start) that `where` accepts. */
async function waitForEvent(
  stream: StreamName,
  filter: string,
  where: (e: LoggedEvent) => boolean = () => true,
  timeoutMs = 20_000,
) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    for await (const e of log.watch({ stream, filter, from: 1, signal: controller.signal })) {
      if (where(e)) return e;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  throw new Error(`no matching event on ${filter} within ${timeoutMs} ms`);
}

const enc = (id: string) => id.replaceAll("/", "~2F");

describe.each(["1.1", "1.0"] as const)("LwM2M %s client (Eclipse Leshan)", (version) => {
  const ep = `leshan-${version.replace(".", "")}`;
  let c: LeshanClient;

  beforeAll(async () => {
    if (!leshanAvailable(version)) throw new Error("run `npm run setup` to build the Leshan peers");
    c = await client(version, ep);
    await c.next("registered");
  }, 60_000);

  it("Given a registered client, then it is a device with one Thing per object instance, described from the object definitions", async () => {
    const td = await waitForEvent("THINGS", `things.${enc(`${ep}/3303/0`)}.td`);
    expect(td.source).toBe(`devices/${ep}`);
    expect(td.data).toMatchObject({
      id: `${ep}/3303/0`,
      title: `Temperature 0 of ${ep}`,
      properties: { "sensor-value": { type: "number", readOnly: true, observable: true } },
      actions: { "reset-min-and-max-measured-values": {} },
    });
    const device = await waitForEvent("THINGS", `things.${enc(`${ep}/3/0`)}.td`);
    expect(device.data).toMatchObject({ properties: { manufacturer: { type: "string" } }, actions: { reboot: {} } });
    const light = await waitForEvent("THINGS", `things.${enc(`${ep}/3311/0`)}.td`);
    expect(light.data).toMatchObject({ properties: { "on-off": { type: "boolean", readOnly: false } } });
    const presence = await waitForEvent("PRESENCE", `devices.${ep}.presence`);
    expect(presence.data).toMatchObject({ state: "connected", binding: "lwm2m" });
  });

  it.each([
    ["TLV", CONTENT_FORMAT.tlv],
    ["text", CONTENT_FORMAT.text],
  ])("When the hub reads 3303/0/5700 as %s, then it gets the temperature as a float", async (_name, accept) => {
    const { format, node } = await worker.lwm2m.management.read(ep, "/3303/0/5700", accept);
    expect(format).toBe(accept);
    expect(node).toEqual({ kind: "single-resource", id: 5700, value: { type: "float", value: expect.any(Number) } });
  });

  it("When the hub reads the Device instance 3/0 in TLV, then it gets the manufacturer and model", async () => {
    const { node } = await worker.lwm2m.management.read(ep, "/3/0", CONTENT_FORMAT.tlv);
    expect(node.kind).toBe("object-instance");
    const resources = node.kind === "object-instance" ? node.resources : [];
    expect(resources).toContainEqual({
      kind: "single-resource",
      id: 0,
      value: { type: "string", value: "Spokes Test" },
    });
  });

  it("When the hub reads the Temperature instance in each JSON format the client speaks, then it decodes the same value", async () => {
    const formats =
      version === "1.1"
        ? [CONTENT_FORMAT.lwm2mJson, CONTENT_FORMAT.senmlJson, CONTENT_FORMAT.senmlCbor, CONTENT_FORMAT.tlv]
        : [CONTENT_FORMAT.lwm2mJson, CONTENT_FORMAT.tlv];
    const values = [];
    for (const accept of formats) {
      const { format, node } = await worker.lwm2m.management.read(ep, "/3303/0", accept);
      expect(format).toBe(accept);
      const value = node.kind === "object-instance" ? node.resources.find((r) => r.id === 5700) : undefined;
      values.push(value);
    }
    expect(new Set(values.map((v) => JSON.stringify(v))).size).toBe(1);
    expect(values[0]).toMatchObject({ kind: "single-resource", value: { type: "float" } });
  });

  it("When the hub updates the Light instance partially and then replaces a resource, then the client receives both writes", async () => {
    const m = worker.lwm2m.management;
    await m.write(
      ep,
      "/3311/0",
      {
        kind: "object-instance",
        id: 0,
        resources: [{ kind: "single-resource", id: 5706, value: { type: "string", value: "blue" } }],
      },
      { replace: false },
    );
    expect(await c.next("write", (e) => e.path === "/3311/0/5706")).toMatchObject({ value: "blue" });
    await m.write(
      ep,
      "/3311/0/5850",
      { kind: "single-resource", id: 5850, value: { type: "boolean", value: true } },
      { format: CONTENT_FORMAT.text },
    );
    expect(await c.next("write", (e) => e.path === "/3311/0/5850")).toMatchObject({ value: "true" });
  });

  it("When the hub writes the dimmer, then the client receives the value", async () => {
    await worker.lwm2m.management.writeValue(ep, "/3311/0/5851", 42);
    expect(await c.next("write", (e) => e.path === "/3311/0/5851")).toMatchObject({ value: "42" });
  });

  it("When the hub executes Reboot, then the client runs it", async () => {
    await worker.lwm2m.management.execute(ep, "/3/0/4");
    expect(await c.next("execute", (e) => e.path === "/3/0/4")).toBeDefined();
  });

  it("When the hub discovers 3303/0, then it lists the resources the client has", async () => {
    const links = await worker.lwm2m.management.discover(ep, "/3303/0");
    expect(links.map((l) => l.target)).toEqual(expect.arrayContaining(["/3303/0", "/3303/0/5700", "/3303/0/5605"]));
  });

  it("Given the instance is observed, when the temperature changes, then the new value is a property value of the Thing", async () => {
    c.send("set /3303/0/5700 23.25");
    const value = await waitForEvent(
      "EVENTS",
      `things.${enc(`${ep}/3303/0`)}.property.sensor-value`,
      (e) => e.data === 23.25,
    );
    expect(value.source).toBe(`devices/${ep}`);
  });
  it("When an operator writes the dimmer property, then the client receives the write and the action completes", async () => {
    const actionId = await requestAction(`${ep}/3311/0`, "writeproperty:dimmer", 77);
    expect(await c.next("write", (e) => e.path === "/3311/0/5851" && e.value === "77")).toBeDefined();
    const done = await waitForEvent("ACTIONS", `actions.${actionId}.*`, (e) => e.subject.endsWith(".completed"));
    expect(done.data).toMatchObject({ thing: `${ep}/3311/0`, name: "writeproperty:dimmer" });
    const delivered = await waitForEvent("ACTIONS", `actions.${actionId}.delivered`);
    expect(delivered.data).toMatchObject({ via: "lwm2m" });
  });

  it("When an operator invokes Reboot, then the client executes it and the action completes", async () => {
    const actionId = await requestAction(`${ep}/3/0`, "reboot");
    expect(await c.next("execute", (e) => e.path === "/3/0/4")).toBeDefined();
    await waitForEvent("ACTIONS", `actions.${actionId}.completed`);
  });

  it("When the hub is asked for a fresh value (readproperty), then it reads the client and completes with the value", async () => {
    c.send("set /3303/0/5700 22.75");
    await c.next("set", (e) => e.value === "22.75");
    const actionId = await requestAction(`${ep}/3303/0`, "readproperty:sensor-value");
    const done = await waitForEvent("ACTIONS", `actions.${actionId}.completed`);
    expect(done.data).toMatchObject({ output: 22.75 });
  });

  it("When an action names a resource the client lacks, then it fails with the device's answer", async () => {
    const actionId = await requestAction(`${ep}/3311/0`, "writeproperty:on-time", 5);
    const failed = await waitForEvent("ACTIONS", `actions.${actionId}.failed`);
    expect(failed.data).toMatchObject({ error: expect.stringContaining("4.04") });
  });

  it("Given an observed resource with notification attributes, when it is cancelled either way, then it is no longer observed", async () => {
    const m = worker.lwm2m.management;
    // Leshan 1.5's client does not implement Write-Attributes (it answers 5.00); Leshan 2 does.
    if (version === "1.1") await m.writeAttributes(ep, "/3303/0/5700", { pmin: 0, pmax: 60, gt: 50, lt: 10, st: 0.5 });
    else await expect(m.writeAttributes(ep, "/3303/0/5700", { pmin: 0 })).rejects.toThrow(/5\.00/);
    await m.observe(ep, "/3303/0/5700");
    expect(m.observing(ep)).toContain("/3303/0/5700");
    c.send("set /3303/0/5700 24.5");
    await waitForEvent("EVENTS", `things.${enc(`${ep}/3303/0`)}.property.sensor-value`, (e) => e.data === 24.5);
    expect(m.cancelObservation(ep, "/3303/0/5700", "active")).toBe(true);
    expect(m.observing(ep)).not.toContain("/3303/0/5700");
    await m.observe(ep, "/3303/0/5601");
    expect(m.cancelObservation(ep, "/3303/0/5601", "reset")).toBe(true);
    expect(m.observing(ep)).not.toContain("/3303/0/5601");
  });

  it("When the client de-registers, then the device is disconnected; when it registers again, then it is observed again", async () => {
    c.send("deregister");
    await c.next("deregistered");
    await waitForEvent(
      "PRESENCE",
      `devices.${ep}.presence`,
      (e) => (e.data as { state: string }).state === "disconnected",
    );
    expect(worker.lwm2m.registrations.byEndpoint(ep)).toBeUndefined();
    c.send("start");
    await c.next("registered");
    await waitForEvent(
      "PRESENCE",
      `devices.${ep}.presence`,
      (e) => (e.data as { state: string }).state === "connected" && e.seq > 0,
    );
    const reg = worker.lwm2m.registrations.byEndpoint(ep);
    expect(reg).toBeDefined();
    // The instance observation comes back with the new registration: a new value still arrives.
    await waitForObserved(ep, "/3303/0");
    c.send("set /3303/0/5700 26.75");
    await waitForEvent("EVENTS", `things.${enc(`${ep}/3303/0`)}.property.sensor-value`, (e) => e.data === 26.75);
  });
});

async function waitForObserved(ep: string, path: string) {
  const deadline = Date.now() + 15_000;
  while (!worker.lwm2m.management.observing(ep).includes(path)) {
    if (Date.now() > deadline) throw new Error(`${path} of ${ep} was not observed again`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(["1.1", "1.0"] as const)("LwM2M %s client in queue mode (Eclipse Leshan)", (version) => {
  const ep = `sleepy-${version.replace(".", "")}`;

  it("Given the client fell asleep, when a write is requested, then it waits and is sent once the client sends an update", async () => {
    const c = await client(version, ep, { binding: "UQ" });
    await c.next("registered");
    await waitForEvent("THINGS", `things.${enc(`${ep}/3311/0`)}.td`);
    const asleep = await waitForEvent(
      "PRESENCE",
      `devices.${ep}.presence`,
      (e) => (e.data as { state: string }).state === "asleep",
    );
    expect(asleep.data).toMatchObject({ state: "asleep", until: expect.any(String) });
    const actionId = await requestAction(`${ep}/3311/0`, "writeproperty:colour", "red");
    await waitForEvent("ACTIONS", `actions.${actionId}.queued`);
    expect(c.events.some((e) => e.event === "write" && e.path === "/3311/0/5706")).toBe(false);
    c.send("update");
    expect(await c.next("write", (e) => e.path === "/3311/0/5706")).toMatchObject({ value: "red" });
    await waitForEvent("ACTIONS", `actions.${actionId}.completed`);
  });
  it("Given the client fell asleep, when an action is requested, then it is executed once the client sends a notification", async () => {
    const sleepy = `${ep}-n`;
    const c = await client(version, sleepy, { binding: "UQ" });
    await c.next("registered");
    await waitForObserved(sleepy, "/3303/0");
    await waitForEvent(
      "PRESENCE",
      `devices.${sleepy}.presence`,
      (e) => (e.data as { state: string }).state === "asleep",
    );
    const actionId = await requestAction(`${sleepy}/3303/0`, "reset-min-and-max-measured-values");
    await waitForEvent("ACTIONS", `actions.${actionId}.queued`);
    c.send("set /3303/0/5700 19.5");
    expect(await c.next("execute", (e) => e.path === "/3303/0/5605")).toBeDefined();
    await waitForEvent("ACTIONS", `actions.${actionId}.completed`);
  });
});

describe("LwM2M registration checks", () => {
  it("Given a client that stops silently, when its lifetime runs out, then the device is disconnected", async () => {
    const ep = "short-lived";
    const c = await client("1.1", ep, { lifetimeS: 2 });
    await c.next("registered");
    c.send("stop");
    await waitForEvent(
      "PRESENCE",
      `devices.${ep}.presence`,
      (e) => (e.data as { state: string }).state === "disconnected",
    );
    expect(worker.lwm2m.registrations.byEndpoint(ep)).toBeUndefined();
  });

  it("Given a registered client, when its device is revoked, then its registration ends and it cannot register again", async () => {
    const ep = "revoked-1";
    const c = await client("1.1", ep);
    await c.next("registered");
    await registry.flow.decide("revoke", ep, "admin");
    await waitForEvent(
      "PRESENCE",
      `devices.${ep}.presence`,
      (e) => (e.data as { state: string }).state === "disconnected",
    );
    expect(worker.lwm2m.registrations.byEndpoint(ep)).toBeUndefined();
    c.send("update");
    expect(await c.next("registration-failed")).toMatchObject({ code: expect.stringMatching(/FORBIDDEN|4\.03/) });
  });

  it("When an unknown endpoint registers, then it is refused with 4.03 and recorded as a provisioning request", async () => {
    const ep = "stranger-1";
    const c = startLeshanClient({ version: "1.1", endpoint: ep, serverUrl: `coap://127.0.0.1:${worker.port}` });
    clients.push(c);
    expect(await c.next("registration-failed")).toMatchObject({ code: expect.stringMatching(/FORBIDDEN|4\.03/) });
    await waitForEvent("PROVISIONING", `provisioning.${ep}.requested`);
  });
});
