import { execFile } from "node:child_process";
import { promisify } from "node:util";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subjects } from "../../core/subjects.ts";
import { startTestNats, type TestNats } from "../../test/harness/index.ts";
import { deviceSource } from "../shared/device-facts.ts";
import { eventsIn, waitForEvents } from "../shared/testing.ts";
import { type RunningMqtt, startMqtt } from "./testing.ts";

const run = promisify(execFile);
let nats: TestNats;
let hub: RunningMqtt;
let tokens: Record<string, string>;
const clients: MqttClient[] = [];

beforeAll(async () => {
  nats = await startTestNats();
  hub = await startMqtt({ natsUrl: nats.url, devices: ["dev-a", "dev-b", "dev-c", "dev-d", "dev-e"], wsPort: 0 });
  tokens = hub.tokens;
}, 60_000);
afterAll(async () => {
  for (const c of clients) await c.endAsync(true);
  await hub?.stop();
  await nats?.stop();
});

const td = (id: string) => JSON.stringify({ id, title: `Thing ${id}`, actions: { dim: {} } });

function pub(device: string, token: string, topic: string, message: string, qos = 1) {
  const port = String(hub.mqtt.ports.tcp);
  return run(
    "mosquitto_pub",
    ["-h", "127.0.0.1", "-p", port, "-u", device, "-P", token, "-q", String(qos)].concat(["-t", topic, "-m", message]),
  );
}

async function connect(device: string, token: string, extra: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(hub.url, { username: device, password: token, reconnectPeriod: 0, ...extra });
  clients.push(c);
  return c;
}

/** The next message on `topic` the client receives. */
const nextMessage = (c: MqttClient, topic: string) =>
  new Promise<{ topic: string; payload: unknown }>((resolve) => {
    const on = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      c.off("message", on);
      resolve({ topic: t, payload: JSON.parse(payload.toString()) });
    };
    c.on("message", on);
  });

describe("publishing over MQTT", () => {
  it("Given a device with valid credentials, when mosquitto_pub sends its TD and an event with QoS 1, then both are stored with the device as source", async () => {
    await pub("dev-a", tokens["dev-a"] as string, "things/lamp-a/td", td("lamp-a"));
    await pub("dev-a", tokens["dev-a"] as string, "things/lamp-a/event/overheated", '{"celsius":81}');
    const things = await eventsIn(hub.log, "THINGS", subjects.thingTd("lamp-a"));
    expect(things).toMatchObject([{ type: "spokes.ThingDescribed", source: deviceSource("dev-a") }]);
    const events = await eventsIn(hub.log, "EVENTS", subjects.event("lamp-a", "overheated"));
    expect(events).toMatchObject([{ type: "spokes.EventEmitted", data: { celsius: 81 }, source: "devices/dev-a" }]);
  });

  it("Given a device, when mqtt.js publishes property values with QoS 0, then every one is stored in order", async () => {
    const c = await connect("dev-a", tokens["dev-a"] as string);
    for (let i = 0; i < 50; i++) c.publish("things/lamp-a/property/level", String(i), { qos: 0 });
    const events = await waitForEvents(hub.log, "EVENTS", (e) => e.length === 50, {
      filter: subjects.property("lamp-a", "level"),
    });
    expect(events.map((e) => e.data)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("Given a wrong password or an unknown device, when mosquitto_pub connects, then the login is refused", async () => {
    await expect(pub("dev-a", "wrong", "things/lamp-a/event/x", "1")).rejects.toMatchObject({
      stderr: expect.stringMatching(/not authori[sz]ed|bad user name or password/i),
    });
    await expect(pub("nobody", tokens["dev-a"] as string, "things/lamp-a/event/x", "1")).rejects.toThrow();
    await expect(
      mqtt.connectAsync(hub.url, { username: "dev-a", password: "nope", reconnectPeriod: 0 }),
    ).rejects.toThrow(/Bad username or password/i);
    expect(await eventsIn(hub.log, "EVENTS", subjects.event("lamp-a", "x"))).toEqual([]);
  });

  it("Given an MQTT 5 client, when it connects, then it is refused: the endpoint speaks MQTT 3.1.1", async () => {
    const v5 = run("mosquitto_pub", [
      ...["-h", "127.0.0.1", "-p", String(hub.mqtt.ports.tcp), "-V", "mqttv5"],
      ...["-u", "dev-a", "-P", tokens["dev-a"] as string, "-t", "things/lamp-a/event/v5", "-m", "1"],
    ]);
    await expect(v5).rejects.toThrow();
    expect(await eventsIn(hub.log, "EVENTS", subjects.event("lamp-a", "v5"))).toEqual([]);
  });

  it("Given another device's Thing, when a device publishes for it, then nothing is stored, it is told why, and its next message still goes through", async () => {
    const b = await connect("dev-b", tokens["dev-b"] as string);
    await b.subscribeAsync("devices/dev-b/errors");
    const notice = nextMessage(b, "devices/dev-b/errors");
    await b.publishAsync("things/lamp-a/event/overheated", '{"celsius":1}', { qos: 1 });
    expect((await notice).payload).toMatchObject({ code: "FORBIDDEN", topic: "things/lamp-a/event/overheated" });
    await b.publishAsync("things/lamp-a/td", td("lamp-a"), { qos: 1 });
    await b.publishAsync("things/lamp-b/td", td("lamp-b"), { qos: 1 });
    await b.publishAsync("things/lamp-b/event/on", "true", { qos: 1 });
    expect(await eventsIn(hub.log, "EVENTS", subjects.event("lamp-b", "on"))).toHaveLength(1);
    expect(await eventsIn(hub.log, "THINGS", subjects.thingTd("lamp-a"))).toHaveLength(1);
    expect((await eventsIn(hub.log, "EVENTS", subjects.event("lamp-a", "overheated"))).map((e) => e.data)).toEqual([
      { celsius: 81 },
    ]);
  });

  it.each([
    ["things/lamp-b/event/on", "{not json", "VALIDATION"],
    ["things/lamp-b/event/on", "", "VALIDATION"],
    ["things/lamp-b/td", '{"id":"lamp-b"}', "VALIDATION"],
    ["things/lamp-b/td", td("other-id"), "VALIDATION"],
    ["things/lamp.b/event/on", "1", "VALIDATION"],
    ["things/lamp-b/action/dim", "{}", "VALIDATION"],
    ["things/unclaimed/event/on", "1", "FORBIDDEN"],
  ])(
    "Given %s with payload %j, when published with QoS 1, then the device is told %s and the connection keeps working",
    async (topic, payload, code) => {
      const b = await connect("dev-b", tokens["dev-b"] as string);
      await b.subscribeAsync("devices/dev-b/errors");
      const notice = nextMessage(b, "devices/dev-b/errors");
      const before = (await eventsIn(hub.log, "EVENTS", subjects.event("lamp-b", "seen"))).length;
      await b.publishAsync(topic, payload, { qos: 1 });
      expect((await notice).payload).toMatchObject({ code, topic });
      await b.publishAsync("things/lamp-b/event/seen", "true", { qos: 1 });
      expect(await eventsIn(hub.log, "EVENTS", subjects.event("lamp-b", "seen"))).toHaveLength(before + 1);
      expect(b.connected).toBe(true);
    },
  );

  it("Given a device, when it subscribes to another device's actions or to all Things, then the subscription is refused", async () => {
    const b = await connect("dev-b", tokens["dev-b"] as string);
    await expect(b.subscribeAsync("things/lamp-a/action/+")).rejects.toThrow(/Subscribe error/);
    await expect(b.subscribeAsync("things/+/action/+")).rejects.toThrow(/Subscribe error/);
    expect(await b.subscribeAsync("things/lamp-b/action/+", { qos: 1 })).toMatchObject([{ qos: 1 }]);
    const sub = await run("mosquitto_sub", [
      ...["-h", "127.0.0.1", "-p", String(hub.mqtt.ports.tcp), "-u", "dev-b", "-P", tokens["dev-b"] as string],
      ...["-t", "things/lamp-a/action/dim", "-C", "1", "-W", "5"],
    ]);
    expect(sub.stderr).toContain("All subscription requests were denied.");
  });

  it("Given a deactivated device, when it tries to publish, then it is disconnected and refused at the next login", async () => {
    const c = await connect("dev-c", tokens["dev-c"] as string);
    await c.publishAsync("things/lamp-c/td", td("lamp-c"), { qos: 1 });
    const closed = new Promise<void>((r) => c.once("close", () => r()));
    await hub.registry.flow.decide("disable", "dev-c", "admin");
    await closed;
    await expect(pub("dev-c", tokens["dev-c"] as string, "things/lamp-c/event/x", "1")).rejects.toThrow();
  });
});

describe("MQTT over WebSocket and last wills", () => {
  it("Given a device on the WebSocket endpoint, when it publishes with QoS 1, then the value is stored", async () => {
    const ws = await mqtt.connectAsync(`ws://127.0.0.1:${hub.mqtt.ports.ws}`, {
      username: "dev-a",
      password: tokens["dev-a"],
      reconnectPeriod: 0,
    });
    clients.push(ws);
    await ws.publishAsync("things/lamp-a/property/ws", '"over websocket"', { qos: 1 });
    expect((await eventsIn(hub.log, "EVENTS", subjects.property("lamp-a", "ws"))).map((e) => e.data)).toEqual([
      "over websocket",
    ]);
  });

  it("Given a device with a last will, when its connection breaks, then the will is stored as its own fact", async () => {
    const c = await connect("dev-a", tokens["dev-a"] as string, {
      will: { topic: "things/lamp-a/property/online", payload: Buffer.from("false"), qos: 1, retain: false },
    });
    c.stream.destroy();
    const stored = await waitForEvents(hub.log, "EVENTS", (e) => e.length === 1, {
      filter: subjects.property("lamp-a", "online"),
    });
    expect(stored[0]).toMatchObject({ data: false, source: "devices/dev-a" });
  });
});

describe("presence over MQTT", () => {
  it("Given a device, when it connects and disconnects, then connected and disconnected are recorded with its Things", async () => {
    const c = await connect("dev-d", tokens["dev-d"] as string);
    await c.publishAsync("things/lamp-d/td", td("lamp-d"), { qos: 1 });
    await c.endAsync();
    const events = await waitForEvents(
      hub.log,
      "PRESENCE",
      (e) => e.some((x) => (x.data as { state: string }).state === "disconnected"),
      { filter: subjects.presence("dev-d") },
    );
    expect(events.map((e) => e.data)).toEqual([
      { state: "connected", binding: "mqtt" },
      { state: "disconnected", binding: "mqtt", things: ["lamp-d"] },
    ]);
  });
});

describe("actions over MQTT", () => {
  const request = (thing: string, name: string, actionId: string, ttlMs?: number) =>
    hub.log.append({
      subject: subjects.actionRequest(thing, name),
      type: "spokes.ActionRequested",
      data: { actionId, input: { level: 3 }, ...(ttlMs ? { ttlMs } : {}) },
    });

  it("Given a subscribed device, when an action is requested, then it arrives with its id, is recorded delivered, and the device's status completes it", async () => {
    const a = await connect("dev-a", tokens["dev-a"] as string);
    await a.subscribeAsync("things/lamp-a/action/+", { qos: 1 });
    const received = nextMessage(a, "things/lamp-a/action/dim");
    await request("lamp-a", "dim", "act-1");
    expect((await received).payload).toMatchObject({ actionId: "act-1", input: { level: 3 } });
    await a.publishAsync(
      "things/lamp-a/action-status/dim",
      JSON.stringify({ actionId: "act-1", status: "completed" }),
      {
        qos: 1,
      },
    );
    const steps = await waitForEvents(hub.log, "ACTIONS", (e) => e.some((x) => x.subject.endsWith(".completed")), {
      filter: `actions.act-1.*`,
    });
    expect(steps.map((s) => s.type)).toEqual(["spokes.ActionDelivered", "spokes.ActionCompleted"]);
    expect(steps[0]?.data).toMatchObject({ thing: "lamp-a", name: "dim", via: "mqtt" });
  });

  it("Given an offline device, when actions are requested, then they are queued and mosquitto_sub receives them in order when it subscribes", async () => {
    await pub("dev-e", tokens["dev-e"] as string, "things/lamp-e/td", td("lamp-e"));
    await request("lamp-e", "dim", "act-2");
    await request("lamp-e", "dim", "act-3");
    await waitForEvents(hub.log, "ACTIONS", (e) => e.length === 2, { filter: ["actions.act-2.*", "actions.act-3.*"] });
    const { stdout } = await run("mosquitto_sub", [
      ...[
        "-h",
        "127.0.0.1",
        "-p",
        String(hub.mqtt.ports.tcp),
        "-u",
        "dev-e",
        "-P",
        tokens["dev-e"] as string,
        "-q",
        "1",
      ],
      ...["-t", "things/lamp-e/action/+", "-C", "2", "-W", "10"],
    ]);
    expect(
      stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).actionId),
    ).toEqual(["act-2", "act-3"]);
    const steps = await waitForEvents(hub.log, "ACTIONS", (e) => e.length === 4, {
      filter: ["actions.act-2.*", "actions.act-3.*"],
    });
    expect(steps.map((s) => s.subject)).toEqual([
      "actions.act-2.queued",
      "actions.act-3.queued",
      "actions.act-2.delivered",
      "actions.act-3.delivered",
    ]);
  });

  it("Given a device, when it reports the status of an action of another device's Thing, then nothing is recorded", async () => {
    await request("lamp-a", "dim", "act-4");
    const b = await connect("dev-b", tokens["dev-b"] as string);
    await b.subscribeAsync("devices/dev-b/errors");
    const notice = nextMessage(b, "devices/dev-b/errors");
    await b.publishAsync("things/lamp-b/action-status/dim", JSON.stringify({ actionId: "act-4", status: "completed" }));
    expect((await notice).payload).toMatchObject({ code: "NOT_FOUND" });
    const steps = await eventsIn(hub.log, "ACTIONS", "actions.act-4.*");
    expect(steps.map((s) => s.subject)).not.toContain("actions.act-4.completed");
  });
});
