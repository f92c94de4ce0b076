/** The LwM2M server against Eclipse Leshan clients (LwM2M 1.1 and 1.0), with a real nats-server. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import type { LoggedEvent } from "../../core/event-log.ts";
import { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { createLogger } from "../../core/log.ts";
import type { StreamName } from "../../core/subjects.ts";
import { startTestNats, type TestNats } from "../../test/harness/index.ts";
import { type LeshanClient, leshanAvailable, startLeshanClient } from "../../test/peers/leshan-client/leshan-client.ts";
import { CoapWorker } from "./coap-worker.ts";
import { CONTENT_FORMAT } from "./codec/index.ts";
import type { Peer } from "./lwm2m/device-requests.ts";

let nats: TestNats;
let log: JetStreamEventLog;
let worker: CoapWorker;
const allowed = new Set<string>();
const refused: string[] = [];
const clients: LeshanClient[] = [];

beforeAll(async () => {
  nats = await startTestNats();
  log = await JetStreamEventLog.open({ servers: nats.url, settings: loadConfig({}) });
  worker = await CoapWorker.start({
    log,
    logger: createLogger("warn"),
    port: 0,
    host: "127.0.0.1",
    awakeMs: 3000,
    requestTimeoutMs: 10_000,
    sweepMs: 200,
    gate: {
      mayRegister: (endpoint) => allowed.has(endpoint),
      refused: async (endpoint: string, _from: Peer) => {
        refused.push(endpoint);
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.stop()));
  await worker?.stop();
  await log?.close();
  await nats?.stop();
});

function client(version: "1.1" | "1.0", endpoint: string, o: { lifetimeS?: number; binding?: "U" | "UQ" } = {}) {
  allowed.add(endpoint);
  const c = startLeshanClient({ version, endpoint, serverUrl: `coap://127.0.0.1:${worker.port}`, ...o });
  clients.push(c);
  return c;
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
    c = client(version, ep);
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
});
