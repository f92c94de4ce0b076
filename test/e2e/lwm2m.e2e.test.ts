/**
 * An LwM2M device as a user of the hub sees it: an Eclipse Leshan client registers with the running hub, its
 * temperature arrives in a GraphQL subscription, and a property written over GraphQL reaches the client.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gql, wsClient } from "../../bff/test-client.ts";
import { spawnUntil, stopAllStarted } from "../harness/cli.ts";
import { provisionTestDevice } from "../harness/devices.ts";
import { hubEnv, openHubLog } from "../harness/hub.ts";
import { type LeshanClient, startLeshanClient } from "../peers/leshan-client/leshan-client.ts";

const PASSWORD = "correct horse battery";
const ep = "leshan-e2e";
let dir: string;
let graphql: string;
let adminToken: string;
let coapPort: string;
let client: LeshanClient | undefined;

async function login(): Promise<string> {
  for (let i = 0; ; i++) {
    const r = await gql(
      graphql,
      `mutation($p: String!) { login(user: "admin", password: $p) { ... on Session { accessToken } } }`,
      {
        p: PASSWORD,
      },
    );
    const token = r.data?.login?.accessToken as string | undefined;
    if (token) return token;
    if (i > 100) throw new Error("admin could not log in");
    await new Promise((res) => setTimeout(res, 200));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "spokes-e2e-lwm2m-"));
  const env = await hubEnv(dir, { SPOKES_ADMIN_PASSWORD: PASSWORD });
  coapPort = env.SPOKES_COAP_PORT;
  graphql = `http://127.0.0.1:${env.SPOKES_HTTP_PORT}/graphql`;
  await spawnUntil("node", ["start"], env, /Spokes ready/);
  const log = await openHubLog(env);
  await provisionTestDevice(log, dir, ep);
  await log.close();
  adminToken = await login();
}, 120_000);

afterAll(async () => {
  await client?.stop();
  await stopAllStarted();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("an LwM2M client on the hub", () => {
  it("Given a registered Leshan client, when its temperature changes, then a GraphQL subscriber sees the value; a property written over GraphQL reaches the client", async () => {
    client = startLeshanClient({ version: "1.1", endpoint: ep, serverUrl: `coap://127.0.0.1:${coapPort}` });
    await client.next("registered", () => true, 60_000);
    const thing = `${ep}/3303/0`;
    // The Thing is described once the client registered; wait until GraphQL knows it.
    for (let i = 0; ; i++) {
      const r = await gql(graphql, `query($t: ID!) { thing(id: $t) { id } }`, { t: thing }, adminToken);
      if (r.data?.thing?.id === thing) break;
      if (i > 150) throw new Error(`the Thing never appeared: ${JSON.stringify(r)}`);
      await new Promise((res) => setTimeout(res, 200));
    }
    const ws = wsClient(graphql, adminToken);
    const seen: unknown[] = [];
    const arrived = new Promise<void>((resolve, reject) => {
      ws.subscribe(
        {
          query: `subscription($t: ID!) { thingEvents(thing: $t, name: "sensor-value") { name kind value } }`,
          variables: { t: thing },
        },
        {
          next: (msg) => {
            const v = (msg.data as { thingEvents?: { value: unknown } } | undefined)?.thingEvents;
            if (v) seen.push(v);
            if (v?.value === 31.5) resolve();
          },
          error: reject,
          complete: () => {},
        },
      );
    });
    // Set the value until the subscription is live and the notification passes through (a set before the
    // subscription started would be missed by a subscriber without `since`).
    for (let i = 0; seen.every((v) => (v as { value: unknown }).value !== 31.5) && i < 50; i++) {
      client.send("set /3303/0/5700 31.5");
      await Promise.race([arrived, new Promise((res) => setTimeout(res, 300))]);
    }
    await arrived;
    expect(seen).toContainEqual({ name: "sensor-value", kind: "property", value: 31.5 });
    await ws.dispose();

    const write = await gql(
      graphql,
      `mutation($t: ID!) { writeProperty(thing: $t, name: "dimmer", value: 55, waitFor: COMPLETED, timeout: 20) { __typename ... on ActionInvocation { state } } }`,
      { t: `${ep}/3311/0` },
      adminToken,
    );
    expect(write.data?.writeProperty).toMatchObject({ __typename: "ActionInvocation", state: "COMPLETED" });
    expect(await client.next("write", (e) => e.path === "/3311/0/5851")).toMatchObject({ value: "55" });
  });
});
