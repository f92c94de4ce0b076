/**
 * Devices as a user of the hub sees them: a device provisioned through the real flow publishes over MQTT with
 * Debian's mosquitto clients and mqtt.js, its facts show up in GraphQL, actions invoked over GraphQL reach it and
 * its replies complete them; and the sleepy-device story, across a restart of the whole hub.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCli, spawnUntil, stopAllStarted } from "../harness/cli.ts";
import { provisionTestDevice } from "../harness/devices.ts";
import { type HubEnv, hubEnv, openHubLog } from "../harness/hub.ts";

const run = promisify(execFile);
const PASSWORD = "correct horse battery";
let dir: string;
let env: HubEnv;
let hub: RunningCli;
let graphql: string;
let mqttUrl: string;
let adminToken: string;
const devices: Record<string, string> = {};
const clients: MqttClient[] = [];

async function gql(query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(graphql, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ query, variables }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read responses by shape
  return (await res.json()) as { data?: any; errors?: unknown[] };
}

async function login(): Promise<string> {
  for (let i = 0; ; i++) {
    const res = await fetch(graphql, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: `mutation($p: String!) { login(user: "admin", password: $p) { ... on Session { accessToken } } }`,
        variables: { p: PASSWORD },
      }),
    });
    const token = ((await res.json()) as { data?: { login?: { accessToken?: string } } }).data?.login?.accessToken;
    if (token) return token;
    if (i > 100) throw new Error("admin could not log in");
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls a GraphQL query until `done` holds for its data. */
async function eventually<T>(query: string, variables: Record<string, unknown>, done: (data: T) => boolean) {
  let last: unknown;
  for (let i = 0; i < 150; i++) {
    const r = await gql(query, variables);
    last = r;
    if (r.data && done(r.data as T)) return r.data as T;
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`never reached: ${JSON.stringify(last)}`);
}

const startHub = () => spawnUntil("node", ["start"], env, /Spokes ready/);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "spokes-e2e-devices-"));
  env = await hubEnv(dir, { SPOKES_ADMIN_PASSWORD: PASSWORD });
  graphql = `http://127.0.0.1:${env.SPOKES_HTTP_PORT}/graphql`;
  mqttUrl = `mqtt://127.0.0.1:${env.SPOKES_MQTT_PORT}`;
  hub = await startHub();
  const log = await openHubLog(env);
  for (const d of ["sensor-1", "valve-7", "intruder", "http-meter", "http-ordered"])
    devices[d] = (await provisionTestDevice(log, dir, d)).token;
  await log.close();
  adminToken = await login();
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.endAsync(true).catch(() => {});
  await stopAllStarted();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const mosquittoPub = (device: string, topic: string, message: string, qos: 0 | 1) =>
  run("mosquitto_pub", [
    ...["-h", "127.0.0.1", "-p", env.SPOKES_MQTT_PORT as string, "-u", device, "-P", devices[device] as string],
    ...["-q", String(qos), "-t", topic, "-m", message],
  ]);

async function device(name: string, o: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(mqttUrl, {
    username: name,
    password: devices[name],
    reconnectPeriod: 0,
    ...o,
  });
  clients.push(c);
  return c;
}

const TD = (id: string) =>
  JSON.stringify({
    id,
    title: `Device Thing ${id}`,
    "@type": "Sensor",
    properties: { temperature: { type: "number" } },
    events: { overheated: {} },
    actions: { calibrate: { input: { type: "integer" } } },
  });

describe("a device on the hub's MQTT endpoint", () => {
  it("Given a provisioned device, when mosquitto_pub sends its TD, an event with QoS 1 and a value with QoS 0, then GraphQL shows the Thing and its history", async () => {
    await mosquittoPub("sensor-1", "things/urn:spokes:sensor-1/td", TD("urn:spokes:sensor-1"), 1);
    await mosquittoPub("sensor-1", "things/urn:spokes:sensor-1/event/overheated", '{"celsius":91}', 1);
    await mosquittoPub("sensor-1", "things/urn:spokes:sensor-1/property/temperature", "21.5", 0);
    const data = await eventually<{ history: { nodes: { name: string; kind: string; value: unknown }[] } }>(
      `query($t: ID!) { history(thing: $t, order: OLDEST) { nodes { name kind value } } }`,
      { t: "urn:spokes:sensor-1" },
      (d) => d.history.nodes.length === 2,
    );
    expect(data.history.nodes).toEqual([
      { name: "overheated", kind: "event", value: { celsius: 91 } },
      { name: "temperature", kind: "property", value: 21.5 },
    ]);
    const thing = await gql(`query($t: ID!) { thing(id: $t) { id title } }`, { t: "urn:spokes:sensor-1" });
    expect(thing.data?.thing).toEqual({ id: "urn:spokes:sensor-1", title: "Device Thing urn:spokes:sensor-1" });
  });

  it("Given a wrong token or a Thing of another device, when a client publishes, then it is refused and nothing is stored", async () => {
    await expect(
      mqtt.connectAsync(mqttUrl, { username: "sensor-1", password: devices.intruder, reconnectPeriod: 0 }),
    ).rejects.toThrow(/Bad username or password/i);
    const intruder = await device("intruder");
    await intruder.subscribeAsync("devices/intruder/errors");
    const told = new Promise<string>((r) => intruder.once("message", (_t, p) => r(p.toString())));
    await intruder.publishAsync("things/urn:spokes:sensor-1/event/overheated", '{"celsius":-1}', { qos: 1 });
    expect(JSON.parse(await told)).toMatchObject({ code: "FORBIDDEN" });
    await expect(intruder.subscribeAsync("things/urn:spokes:sensor-1/action/+")).rejects.toThrow(/Subscribe error/);
    const history = await gql(`query($t: ID!) { history(thing: $t, name: "overheated") { nodes { value } } }`, {
      t: "urn:spokes:sensor-1",
    });
    expect(history.data?.history.nodes).toEqual([{ value: { celsius: 91 } }]);
  });

  it("Given a subscribed device that answers, when a user invokes an action over GraphQL and waits for completion, then the device's output comes back", async () => {
    const c = await device("sensor-1");
    await c.subscribeAsync("things/urn:spokes:sensor-1/action/+", { qos: 1 });
    c.on("message", (topic, payload) => {
      if (!topic.endsWith("/action/calibrate")) return;
      const { actionId, input } = JSON.parse(payload.toString());
      c.publish(
        "things/urn:spokes:sensor-1/action-status/calibrate",
        JSON.stringify({ actionId, status: "completed", output: { offset: input * 2 } }),
        { qos: 1 },
      );
    });
    const r = await gql(
      `mutation($t: ID!) { invokeAction(thing: $t, name: "calibrate", input: 21, waitFor: COMPLETED, timeout: 20) {
        __typename ... on ActionInvocation { state output timedOut } ... on Problem { message } } }`,
      { t: "urn:spokes:sensor-1" },
    );
    expect(r.data?.invokeAction).toEqual({
      __typename: "ActionInvocation",
      state: "COMPLETED",
      output: { offset: 42 },
      timedOut: false,
    });
    await c.endAsync();
  });
});

describe("a device on the hub's HTTP endpoint", () => {
  it("Given a provisioned device, when it puts its TD over HTTP and long-polls, then an action invoked over GraphQL answers the poll and its status completes it", async () => {
    const THING = "urn:spokes:http-meter";
    const base = `http://127.0.0.1:${env.SPOKES_HTTP_PORT}`;
    const auth = { authorization: `Bearer ${devices["http-meter"]}` };
    const put = await fetch(`${base}/things/${encodeURIComponent(THING)}/td`, {
      method: "PUT",
      headers: auth,
      body: TD(THING),
    });
    expect(put.status).toBe(204);
    const forbidden = await fetch(`${base}/things/${encodeURIComponent("urn:spokes:sensor-1")}/event/overheated`, {
      method: "POST",
      headers: auth,
      body: "{}",
    });
    expect(forbidden.status).toBe(403);
    await eventually<{ thing: unknown }>(`query($t: ID!) { thing(id: $t) { id } }`, { t: THING }, (d) => !!d.thing);

    const poll = fetch(`${base}/devices/http-meter/actions?wait=60`, { headers: auth });
    const invoked = await gql(
      `mutation($t: ID!) { invokeAction(thing: $t, name: "calibrate", input: 5) { ... on ActionInvocation { actionId } } }`,
      { t: THING },
    );
    const actionId = invoked.data?.invokeAction.actionId as string;
    const answer = await poll;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject([{ actionId, thing: THING, name: "calibrate", input: 5 }]);
    const status = await fetch(`${base}/actions/${actionId}/status`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ status: "completed", output: "ok" }),
    });
    expect(status.status).toBe(204);
    await eventually<{ actions: { nodes: { state: string; output: unknown }[] } }>(
      `query($t: ID!) { actions(thing: $t) { nodes { state output } } }`,
      { t: THING },
      (d) => d.actions.nodes[0]?.state === "COMPLETED" && d.actions.nodes[0]?.output === "ok",
    );
  });
});

describe("the sleepy-device story", () => {
  it("Given an offline device and 10 actions (two with a short time to live), when the hub restarts and the device comes back, then it receives exactly the 8 live actions in order, once each, and GraphQL shows 8 completed and 2 expired", async () => {
    const THING = "urn:spokes:valve-7";
    await mosquittoPub("valve-7", `things/${THING}/td`, TD(THING), 1);
    await eventually<{ thing: unknown }>(`query($t: ID!) { thing(id: $t) { id } }`, { t: THING }, (d) => !!d.thing);

    const invoked: string[] = [];
    for (let i = 0; i < 10; i++) {
      const short = i === 3 || i === 7;
      const r = await gql(
        `mutation($t: ID!, $i: JSON, $ttl: Int) { invokeAction(thing: $t, name: "calibrate", input: $i, ttl: $ttl) {
          ... on ActionInvocation { actionId } ... on Problem { message } } }`,
        { t: THING, i, ttl: short ? 1 : null },
      );
      const id = r.data?.invokeAction?.actionId as string;
      expect(id).toBeTruthy();
      if (!short) invoked.push(id);
    }
    await eventually<{ actions: { nodes: unknown[] } }>(
      `query($t: ID!) { actions(thing: $t, status: QUEUED) { nodes { actionId } } }`,
      { t: THING },
      (d) => d.actions.nodes.length >= 8,
    );

    hub.child.kill("SIGTERM");
    expect(await hub.exited).toBe(0);
    hub = await startHub();
    adminToken = await login();

    const received: string[] = [];
    const c = await device("valve-7");
    c.on("message", (_topic, payload) => {
      const { actionId } = JSON.parse(payload.toString());
      received.push(actionId);
      c.publish(`things/${THING}/action-status/calibrate`, JSON.stringify({ actionId, status: "completed" }), {
        qos: 1,
      });
    });
    await c.subscribeAsync(`things/${THING}/action/+`, { qos: 1 });

    const done = await eventually<{ completed: { nodes: unknown[] }; expired: { nodes: unknown[] } }>(
      `query($t: ID!) {
        completed: actions(thing: $t, status: COMPLETED) { nodes { actionId } }
        expired: actions(thing: $t, status: EXPIRED) { nodes { actionId } } }`,
      { t: THING },
      (d) => d.completed.nodes.length === 8 && d.expired.nodes.length === 2,
    );
    expect(done.completed.nodes).toHaveLength(8);
    expect(done.expired.nodes).toHaveLength(2);
    expect(received).toEqual(invoked);
  });
});

describe("delivery settings per device", () => {
  it("Given an HTTP device, when an administrator changes its settings over GraphQL, then the next deliveries follow them: all at once, one at a time, expiry by its own time to live, and back to the hub's default", async () => {
    const THING = "urn:spokes:http-ordered";
    const base = `http://127.0.0.1:${env.SPOKES_HTTP_PORT}`;
    const auth = { authorization: `Bearer ${devices["http-ordered"]}` };
    const put = await fetch(`${base}/things/${encodeURIComponent(THING)}/td`, {
      method: "PUT",
      headers: auth,
      body: TD(THING),
    });
    expect(put.status).toBe(204);
    await eventually<{ thing: unknown }>(`query($t: ID!) { thing(id: $t) { id } }`, { t: THING }, (d) => !!d.thing);

    const SETTINGS = "__typename ... on DeviceSettings { actionDelivery actionTtl mergePropertyWrites }";
    const change = (args: string) =>
      gql(`mutation { changeDeviceSettings(device: "http-ordered", ${args}) { ${SETTINGS} } }`);
    const invokeTwo = async () => {
      const ids: string[] = [];
      for (const i of [1, 2]) {
        const r = await gql(
          `mutation($t: ID!, $i: JSON) { invokeAction(thing: $t, name: "calibrate", input: $i) { ... on ActionInvocation { actionId } } }`,
          { t: THING, i },
        );
        ids.push(r.data?.invokeAction.actionId as string);
      }
      await eventually<{ actions: { nodes: unknown[] } }>(
        `query($t: ID!) { actions(thing: $t, status: QUEUED) { nodes { actionId } } }`,
        { t: THING },
        (d) => d.actions.nodes.length === 2,
      );
      return ids;
    };
    const poll = async (wait: number) => {
      const res = await fetch(`${base}/devices/http-ordered/actions?wait=${wait}`, { headers: auth });
      return res.status === 204 ? [] : ((await res.json()) as { actionId: string }[]).map((a) => a.actionId);
    };
    const complete = async (actionId: string) => {
      const res = await fetch(`${base}/actions/${actionId}/status`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ status: "completed" }),
      });
      expect(res.status).toBe(204);
    };

    // The hub's default delivers everything that waits in one answer.
    const [a1, a2] = await invokeTwo();
    expect(await poll(5)).toEqual([a1, a2]);
    for (const id of [a1, a2]) await complete(id as string);

    const ordered = await change("actionDelivery: ORDERED, mergePropertyWrites: true");
    expect(ordered.data?.changeDeviceSettings).toEqual({
      __typename: "DeviceSettings",
      actionDelivery: "ORDERED",
      actionTtl: null,
      mergePropertyWrites: true,
    });
    const [b1, b2] = await invokeTwo();
    expect(await poll(5)).toEqual([b1]);
    await complete(b1 as string);
    expect(await poll(5)).toEqual([b2]);
    await complete(b2 as string);

    // Its own time to live: an action requested without one expires unseen while the device is away.
    const ttl = await change("actionTtl: 1");
    expect(ttl.data?.changeDeviceSettings).toMatchObject({ actionDelivery: "ORDERED", actionTtl: 1 });
    const late = await gql(
      `mutation($t: ID!) { invokeAction(thing: $t, name: "calibrate", input: 3) { ... on ActionInvocation { actionId } } }`,
      { t: THING },
    );
    const lateId = late.data?.invokeAction.actionId as string;
    await eventually<{ actions: { nodes: { actionId: string }[] } }>(
      `query($t: ID!) { actions(thing: $t, status: EXPIRED) { nodes { actionId } } }`,
      { t: THING },
      (d) => d.actions.nodes.some((n) => n.actionId === lateId),
    );
    expect(await poll(1)).toEqual([]);

    const reset = await change("actionDelivery: null, actionTtl: null, mergePropertyWrites: null");
    expect(reset.data?.changeDeviceSettings).toMatchObject({
      actionDelivery: null,
      actionTtl: null,
      mergePropertyWrites: null,
    });
    const read = await gql(`{ deviceSettings(device: "http-ordered") { actionDelivery seq } }`);
    expect(read.data?.deviceSettings).toMatchObject({ actionDelivery: null, seq: expect.any(Number) });
    const [c1, c2] = await invokeTwo();
    expect(await poll(5)).toEqual([c1, c2]);

    const unknown = await gql(`mutation { changeDeviceSettings(device: "nobody", actionTtl: 5) { __typename } }`);
    expect(unknown.data?.changeDeviceSettings.__typename).toBe("NotFound");
    const bad = await gql(`mutation { changeDeviceSettings(device: "http-ordered", actionTtl: -1) { __typename } }`);
    expect(bad.data?.changeDeviceSettings.__typename).toBe("ValidationError");
  });
});
