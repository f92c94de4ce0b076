import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subjects } from "../core/subjects.ts";
import { gql, take } from "./test-client.ts";
import { startTestHub, type TestHub, td } from "./test-hub.ts";

let hub: TestHub;
/** plug-7 is owned by device dev-7 and sits in the kitchen (vera's group); pump-8 by dev-8 in the garage. */
beforeAll(async () => {
  hub = await startTestHub();
  await hub.log.appendMany([
    {
      subject: subjects.thingTd("plug-7"),
      type: "spokes.ThingDescribed",
      data: td("plug-7", "Plug", "Plug"),
      source: "devices/dev-7",
    },
    {
      subject: subjects.thingTd("pump-8"),
      type: "spokes.ThingDescribed",
      data: td("pump-8", "Pump", "Pump"),
      source: "devices/dev-8",
    },
    { subject: subjects.group("kitchen"), type: "spokes.ThingAddedToGroup", data: { thing: "plug-7" } },
    { subject: subjects.group("garage"), type: "spokes.ThingAddedToGroup", data: { thing: "pump-8" } },
  ]);
  await hub.caughtUp();
}, 120_000);
afterAll(async () => {
  await hub?.close();
});

const presence = (device: string, data: object) => ({
  subject: subjects.presence(device),
  type: "spokes.PresenceChanged",
  data,
  source: `devices/${device}`,
});

const THING = `query($id: ID!) { thing(id: $id) { id device presence { device state reachable until binding since seq } } }`;

describe("a Thing's presence", () => {
  it("Given its device connected then went to sleep, When the Thing is read, Then it shows ASLEEP until the wake time", async () => {
    const wake = new Date(Date.now() + 3_600_000).toISOString();
    await hub.log.appendMany([
      presence("dev-7", { state: "connected", binding: "mqtt" }),
      presence("dev-7", { state: "asleep", until: wake, binding: "lwm2m" }),
    ]);
    await hub.caughtUp();
    const r = await gql(hub.url, THING, { id: "plug-7" }, hub.tokens.vera);
    expect(r.data?.thing).toMatchObject({
      device: "dev-7",
      presence: { device: "dev-7", state: "ASLEEP", reachable: false, until: wake, binding: "lwm2m" },
    });
  });

  it("Given a device inside its long-poll window, When Things are listed, Then it counts as reachable", async () => {
    const until = new Date(Date.now() + 60_000).toISOString();
    await hub.log.append(presence("dev-8", { state: "connected", until, binding: "http" }));
    await hub.caughtUp();
    const r = await gql(
      hub.url,
      `{ things(type: "Pump") { nodes { id presence { state reachable } } } }`,
      {},
      hub.tokens.gary,
    );
    expect(r.data?.things.nodes).toEqual([{ id: "pump-8", presence: { state: "CONNECTED", reachable: true } }]);
  });

  it("Given a Thing the hub describes itself, When read, Then it has no device and no presence", async () => {
    const r = await gql(hub.url, THING, { id: "lamp-1" }, hub.tokens.vera);
    expect(r.data?.thing).toEqual({ id: "lamp-1", device: null, presence: null });
  });
});

describe("devicePresence", () => {
  const SUB = `subscription($device: ID, $thing: ID, $since: Since) {
    devicePresence(device: $device, thing: $thing, since: $since) { device state binding seq } }`;
  type Change = { device: string; state: string; binding: string | null; seq: number };

  it("Given earlier changes, When a viewer subscribes with since, Then history comes first, then live ones, none twice", async () => {
    const first = await hub.log.append(presence("dev-7", { state: "connected", binding: "mqtt" }));
    const live = () =>
      hub.log.appendMany([
        presence("dev-7", { state: "disconnected", binding: "mqtt" }),
        presence("dev-7", { state: "connected", binding: "http" }),
      ]);
    const seen = await take<Change>(
      hub.url,
      hub.tokens.vera,
      SUB,
      { device: "dev-7", since: { seq: first.seq } },
      3,
      live,
    );
    expect(seen.map((c) => [c.state, c.binding])).toEqual([
      ["CONNECTED", "mqtt"],
      ["DISCONNECTED", "mqtt"],
      ["CONNECTED", "http"],
    ]);
    expect(new Set(seen.map((c) => c.seq)).size).toBe(3);
  });

  it("Given a subscription by Thing, When its device's presence changes, Then the subscriber sees that device only", async () => {
    const changes = () =>
      hub.log.appendMany([presence("dev-8", { state: "asleep" }), presence("dev-7", { state: "asleep" })]);
    const seen = await take<Change>(hub.url, hub.tokens.vera, SUB, { thing: "plug-7" }, 1, async () => {
      await new Promise((r) => setTimeout(r, 300));
      return changes();
    });
    expect(seen.map((c) => [c.device, c.state])).toEqual([["dev-7", "ASLEEP"]]);
  });

  it("Given every device, When a user follows all, Then only the devices of their Things show; admins see all", async () => {
    const { seq } = await hub.log.append(presence("dev-8", { state: "connected" }));
    await hub.log.append(presence("dev-7", { state: "connected" }));
    const gary = await take<Change>(hub.url, hub.tokens.gary, SUB, { since: { seq } }, 1);
    expect(gary.map((c) => c.device)).toEqual(["dev-8"]);
    const everyone = await take<Change>(hub.url, hub.tokens.admin, SUB, { since: { seq } }, 2);
    expect(everyone.map((c) => c.device)).toEqual(["dev-8", "dev-7"]);
  });

  it.each([
    ["a device of a Thing the caller may not see", { device: "dev-8" }, /no device "dev-8"/],
    ["a Thing the caller may not see", { thing: "pump-8" }, /no Thing "pump-8"/],
    ["a Thing no device owns", { thing: "lamp-1" }, /no device owns "lamp-1"/],
    ["both a device and a Thing", { device: "dev-7", thing: "plug-7" }, /at most one of device and thing/],
  ])("refuses %s", async (_what, variables, message) => {
    const failure = await take<Change>(hub.url, hub.tokens.vera, SUB, variables, 1).then(
      () => "no error",
      (e: unknown) => (e instanceof Error ? e.message : JSON.stringify(e)),
    );
    expect(failure).toMatch(message);
  });
});
