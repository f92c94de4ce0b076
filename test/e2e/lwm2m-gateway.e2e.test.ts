/**
 * The whole hub with its LwM2M gateway, as an operator uses it: `spokes start` with a mapping file and Leshan as
 * the upstream server; a value appended with the CLI is read by Leshan; a stale value makes Leshan's read ask the
 * device over MQTT, which answers with a fresh one; an administrator changes the mapping over GraphQL and Leshan sees
 * the new objects without a restart; other users may not.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { subjects } from "../../core/subjects.ts";
import { type RunningCli, spawnUntil, spokes, stopAllStarted } from "../harness/cli.ts";
import { provisionTestDevice } from "../harness/devices.ts";
import { type HubEnv, hubEnv, openHubLog } from "../harness/hub.ts";
import { freePort } from "../harness/ports.ts";
import { type LeshanServer, startLeshanServer } from "../peers/leshan-server/leshan-server.ts";

const EP = "hub-e2e";
const LAMP = "urn:dev:e2e-lamp";
/** A Thing of a device on the hub's MQTT endpoint; its values are read through the gateway at /26242/{0,1}/2. */
const METER = "urn:dev:e2e-meter";
const METER_DEVICE = "e2e-meter-dev";
const MODEL = "1:RW:STRING,2:RW:INTEGER,3:RW:FLOAT,4:RW:BOOLEAN,5:RW:OPAQUE,6:RW:TIME,7:E:NONE";

type Gql = { data?: Record<string, Record<string, unknown> | null>; errors?: { message: string }[] };

let leshan: LeshanServer;
let hub: RunningCli;
let dir: string;
let env: HubEnv;
let graphql: string;
let log: JetStreamEventLog;
let meterToken: string;
let meter: MqttClient | undefined;

async function gql(query: string, token?: string): Promise<Gql> {
  const res = await fetch(graphql, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as Gql;
}

/** Logs in, retrying while the access projection catches up. */
async function login(user: string, password: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const r = await gql(
      `mutation { login(user: "${user}", password: "${password}") { ... on Session { accessToken } } }`,
    );
    const token = r.data?.login?.accessToken;
    if (typeof token === "string") return token;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${user} could not log in`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "spokes-e2e-lwm2m-"));
  leshan = await startLeshanServer();
  await leshan.addModel(26241, MODEL);
  await leshan.addModel(26242, MODEL);
  const mappingFile = join(dir, "lwm2m.json");
  await writeFile(
    mappingFile,
    JSON.stringify({
      exposures: [
        { thing: LAMP, kind: "property", name: "level", type: "integer", access: "readwrite" },
        { thing: METER, kind: "property", name: "reading", type: "integer" },
        { thing: METER, kind: "property", name: "setpoint", type: "integer" },
      ],
    }),
  );
  env = await hubEnv(join(dir, "data"), {
    SPOKES_LOG_LEVEL: "info",
    SPOKES_ADMIN_PASSWORD: "correct horse battery",
    SPOKES_LWM2M_GATEWAY_SERVER_URL: leshan.url,
    SPOKES_LWM2M_GATEWAY_ENDPOINT: EP,
    SPOKES_LWM2M_GATEWAY_LIFETIME: "30s",
    SPOKES_LWM2M_GATEWAY_MAPPING_FILE: mappingFile,
    SPOKES_LWM2M_GATEWAY_MAX_AGE: "10m",
    SPOKES_LWM2M_GATEWAY_READ_WAIT: "2s",
  });
  graphql = `http://127.0.0.1:${env.SPOKES_HTTP_PORT}/graphql`;
  hub = await spawnUntil("node", ["start"], env, /Spokes ready/, 120_000);
  await leshan.waitFor((e) => e.kind === "registered" && e.endpoint === EP, 60_000);
  log = await openHubLog(env);
  meterToken = (await provisionTestDevice(log, env.SPOKES_DATA_DIR as string, METER_DEVICE)).token;
}, 180_000);

afterAll(async () => {
  await meter?.endAsync(true).catch(() => {});
  await log?.close();
  await stopAllStarted();
  await leshan?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the hub's LwM2M gateway", () => {
  it("Given a value appended with the CLI, When Leshan reads the mapped resource, Then it gets that value", async () => {
    const appended = await spokes("node", ["append", "property", LAMP, "level", "64"], env);
    expect(appended.code).toBe(0);
    const r = await leshan.call(EP, "read", { path: "/26241/0/2", format: "TEXT" });
    expect(r).toMatchObject({ code: "CONTENT", content: { value: 64 } });
  });

  it("Given a meter's values stored an hour ago and its device on MQTT, When Leshan reads one the device answers, Then it gets the device's fresh value; one the device ignores, the stored value after the wait", async () => {
    // What the device reported an hour ago: older than SPOKES_LWM2M_GATEWAY_MAX_AGE.
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (const [name, value] of [
      ["reading", 10],
      ["setpoint", 18],
    ] as const) {
      await log.append({
        subject: subjects.property(METER, name),
        type: "spokes.PropertyReported",
        data: value,
        source: `devices/${METER_DEVICE}`,
        time: hourAgo,
      });
    }
    meter = await mqtt.connectAsync(`mqtt://127.0.0.1:${env.SPOKES_MQTT_PORT}`, {
      username: METER_DEVICE,
      password: meterToken,
      reconnectPeriod: 0,
    });
    const device = meter;
    await device.publishAsync(
      `things/${METER}/td`,
      JSON.stringify({ id: METER, title: "Meter", properties: { reading: { type: "integer" } } }),
      { qos: 1 },
    );
    // The subscription is allowed once the hub has seen the TD that makes this device the Thing's owner.
    for (let i = 0; ; i++) {
      try {
        await device.subscribeAsync(`things/${METER}/action/+`, { qos: 1 });
        break;
      } catch (err) {
        if (i > 100) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const received: { topic: string; message: Record<string, unknown> }[] = [];
    device.on("message", (topic, payload) => {
      const message = JSON.parse(payload.toString()) as Record<string, unknown>;
      received.push({ topic, message });
      if (topic !== `things/${METER}/action/readproperty:reading`) return;
      void device
        .publishAsync(`things/${METER}/property/reading`, "77", { qos: 1 })
        .then(() =>
          device.publishAsync(
            `things/${METER}/action-status/readproperty:reading`,
            JSON.stringify({ actionId: message.actionId, status: "completed" }),
            { qos: 1 },
          ),
        );
    });

    const fresh = await leshan.call(EP, "read", { path: "/26242/0/2", format: "TEXT" });
    expect(fresh).toMatchObject({ code: "CONTENT", content: { value: 77 } });
    const stale = await leshan.call(EP, "read", { path: "/26242/1/2", format: "TEXT" });
    expect(stale).toMatchObject({ code: "CONTENT", content: { value: 18 } });
    // Both requests reached the device as actions named by the W3C operation, each with a short time to live.
    expect(received.map((r) => r.topic)).toEqual([
      `things/${METER}/action/readproperty:reading`,
      `things/${METER}/action/readproperty:setpoint`,
    ]);
    for (const { message } of received) {
      expect(message).toMatchObject({ actionId: expect.any(String), expiresAt: expect.any(String) });
      expect(message).not.toHaveProperty("input");
    }
  });

  it("When an administrator sets a new mapping over GraphQL, Then Leshan sees the new object without a restart", async () => {
    const token = await login("admin", "correct horse battery");
    const before = await gql(`{ lwm2mGatewayMapping(endpoint: "${EP}") { changedBy revision } }`, token);
    expect(before.data?.lwm2mGatewayMapping).toMatchObject({ changedBy: "mapping file" });
    const set = await gql(
      `mutation { setLwm2mGatewayMapping(endpoint: "${EP}", mapping: { exposures: [
        { thing: "${LAMP}", kind: "property", name: "level", type: "integer", access: "readwrite" },
        { thing: "${LAMP}", kind: "action", name: "blink", objectId: 26300 }
      ] }) { __typename ... on Lwm2mGatewayMapping { changedBy revision } } }`,
      token,
    );
    expect(set.data?.setLwm2mGatewayMapping).toMatchObject({ __typename: "Lwm2mGatewayMapping", changedBy: "admin" });
    // Periodic updates come too; wait for the one that carries the new links.
    const links = async () => (await leshan.clients()).find((c) => c.endpoint === EP)?.objectLinks ?? [];
    while (!(await links()).includes("</26300/0>")) {
      await leshan.waitFor((e) => e.kind === "updated" && e.endpoint === EP, 60_000);
    }
    expect(await links()).toContain("</26300/0>");
  });

  it("Given a mapping that uses one path twice, Then the mutation answers ValidationError and nothing changes", async () => {
    const token = await login("admin", "correct horse battery");
    const r = await gql(
      `mutation { setLwm2mGatewayMapping(endpoint: "${EP}", mapping: { exposures: [
        { thing: "a", kind: "property", name: "x", objectId: 30000, instanceId: 0 },
        { thing: "b", kind: "property", name: "y", objectId: 30000, instanceId: 0 }
      ] }) { __typename } }`,
      token,
    );
    expect(r.data?.setLwm2mGatewayMapping).toEqual({ __typename: "ValidationError" });
    const now = await gql(`{ lwm2mGatewayMapping(endpoint: "${EP}") { changedBy } }`, token);
    expect(now.data?.lwm2mGatewayMapping).toEqual({ changedBy: "admin" });
  });

  it("Given a user who is no administrator, Then reading or changing the mapping is refused", async () => {
    const admin = await login("admin", "correct horse battery");
    await gql(`mutation { addUser(user: "olga", password: "olga's long password") { __typename } }`, admin);
    const olga = await login("olga", "olga's long password");
    const set = await gql(`mutation { setLwm2mGatewayMapping(endpoint: "${EP}", mapping: {}) { __typename } }`, olga);
    expect(set.data?.setLwm2mGatewayMapping).toEqual({ __typename: "Forbidden" });
    const read = await gql(`{ lwm2mGatewayMapping(endpoint: "${EP}") { revision } }`, olga);
    expect(read.errors?.[0]?.message).toMatch(/administrator/);
    expect(hub.output()).not.toContain("olga's long password");
  });

  it("Given a mapping file that is not valid, When the hub starts, Then it stops with a message naming the file", async () => {
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ exposures: [{ thing: "t", kind: "event", name: "e", access: "write" }] }));
    const r = await spokes(
      "node",
      ["start"],
      {
        ...env,
        SPOKES_DATA_DIR: join(dir, "data-bad"),
        SPOKES_EMBEDDED_NATS_PORT: String(await freePort()),
        SPOKES_HTTP_PORT: String(await freePort()),
        SPOKES_MQTT_PORT: String(await freePort()),
        SPOKES_MQTT_WS_PORT: String(await freePort()),
        SPOKES_LWM2M_GATEWAY_MAPPING_FILE: bad,
      },
      120_000,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toMatch(/SPOKES_LWM2M_GATEWAY_MAPPING_FILE .*bad\.json.*events are read-only/);
  });
});
