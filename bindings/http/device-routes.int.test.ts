import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../core/log.ts";
import { subjects } from "../../core/subjects.ts";
import { startTestNats, type TestNats } from "../../test/harness/index.ts";
import { type RunningMqtt, startMqtt } from "../mqtt/testing.ts";
import { FactPublisher } from "../shared/fact-publisher.ts";
import { PresenceReporter } from "../shared/presence.ts";
import { eventsIn, waitForEvents } from "../shared/testing.ts";
import { deviceRoutes } from "./device-routes.ts";

let nats: TestNats;
let hub: RunningMqtt;
let server: Server;
let base: string;
let tokens: Record<string, string> = {};

beforeAll(async () => {
  nats = await startTestNats();
  hub = await startMqtt({ natsUrl: nats.url, devices: ["http-a", "http-b"] });
  tokens = { "token-a": hub.tokens["http-a"] as string, "token-b": hub.tokens["http-b"] as string };
  const logger = createLogger("error");
  const route = deviceRoutes({
    authenticator: hub.registry,
    facts: new FactPublisher(hub.log, hub.ownership),
    dispatcher: hub.dispatcher,
    presence: new PresenceReporter({
      log: hub.log,
      binding: "http",
      thingsOf: (d) => hub.ownership.thingsOf(d),
      logger,
    }),
    logger,
    maxBodyBytes: 1024,
  });
  server = createServer((req, res) => {
    if (!route(req, res)) res.writeHead(404).end("not a device path");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await hub?.stop();
  await nats?.stop();
});

const call = (method: string, path: string, token: string | undefined, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${tokens[token] ?? token}` } : {}),
      "content-type": "application/json",
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });

const THING = "urn:dev:http/lamp 1";
const path = encodeURIComponent(THING);

describe("publishing over HTTP", () => {
  it("Given a device token, when the device puts its TD, posts an event and puts a property, then each answers 204 once stored", async () => {
    expect(
      (await call("PUT", `/things/${path}/td`, "token-a", { id: THING, title: "Lamp", actions: { dim: {} } })).status,
    ).toBe(204);
    expect((await call("POST", `/things/${path}/event/overheated`, "token-a", { celsius: 80 })).status).toBe(204);
    expect((await call("PUT", `/things/${path}/property/level`, "token-a", 42)).status).toBe(204);
    expect(await eventsIn(hub.log, "EVENTS", subjects.thingAll(THING))).toMatchObject([
      { type: "spokes.EventEmitted", data: { celsius: 80 }, source: "devices/http-a" },
      { type: "spokes.PropertyReported", data: 42, source: "devices/http-a" },
    ]);
  });

  it.each([
    ["no token", "POST", `/things/${path}/event/x`, undefined, "1", 401, "UNAUTHENTICATED"],
    ["a forged token", "POST", `/things/${path}/event/x`, "forged", "1", 401, "UNAUTHENTICATED"],
    ["another device's Thing", "POST", `/things/${path}/event/x`, "token-b", "1", 403, "FORBIDDEN"],
    ["malformed JSON", "POST", `/things/${path}/event/x`, "token-a", "{nope", 400, "VALIDATION"],
    ["an empty body", "PUT", `/things/${path}/property/x`, "token-a", "", 400, "VALIDATION"],
    ["a TD for another id", "PUT", `/things/${path}/td`, "token-a", { id: "other", title: "x" }, 400, "VALIDATION"],
    [
      "an oversized body",
      "POST",
      `/things/${path}/event/x`,
      "token-a",
      JSON.stringify("x".repeat(2000)),
      413,
      "TOO_LARGE",
    ],
    ["a bad percent-encoding", "POST", "/things/%E0%A4%A/event/x", "token-a", "1", 400, "VALIDATION"],
    ["the wrong method", "GET", `/things/${path}/td`, "token-a", undefined, 405, "VALIDATION"],
    ["another device's poll", "GET", "/devices/http-b/actions", "token-a", undefined, 403, "FORBIDDEN"],
    ["an unknown action", "POST", "/actions/none/status", "token-a", { status: "completed" }, 404, "NOT_FOUND"],
    ["a bad status", "POST", "/actions/none/status", "token-a", { status: "done" }, 400, "VALIDATION"],
  ])(
    "Given %s, when the device calls %s %s, then it gets the status and error code listed",
    async (_what, method, p, token, body, status, code) => {
      const res = await call(method, p, token, body);
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error: { code } });
    },
  );
});

describe("actions over HTTP long-poll", () => {
  const request = (actionId: string) =>
    hub.log.append({
      subject: subjects.actionRequest(THING, "dim"),
      type: "spokes.ActionRequested",
      data: { actionId, input: 5 },
    });

  it("Given no waiting action, when the device polls with wait=1, then it gets 204 and counts as connected until the window ends", async () => {
    const res = await call("GET", "/devices/http-a/actions?wait=1", "token-a");
    expect(res.status).toBe(204);
    const presence = await eventsIn(hub.log, "PRESENCE", subjects.presence("http-a"));
    expect(presence.at(-1)?.data).toMatchObject({
      state: "connected",
      binding: "http",
      things: [THING],
      until: expect.stringMatching(/^\d{4}-/),
    });
  });

  it("Given queued actions, when the device polls, then it gets them in order at once, they are delivered, and its status completes one", async () => {
    await request("h-1");
    await request("h-2");
    await waitForEvents(hub.log, "ACTIONS", (e) => e.length === 2, { filter: ["actions.h-1.*", "actions.h-2.*"] });
    const res = await call("GET", "/devices/http-a/actions?wait=30", "token-a");
    expect(res.status).toBe(200);
    const actions = (await res.json()) as { actionId: string }[];
    expect(actions).toMatchObject([
      { actionId: "h-1", thing: THING, name: "dim", input: 5 },
      { actionId: "h-2", thing: THING, name: "dim", input: 5 },
    ]);
    expect((await call("POST", "/actions/h-1/status", "token-a", { status: "completed", output: 1 })).status).toBe(204);
    expect((await call("POST", "/actions/h-2/status", "token-a", { status: "failed", error: "jammed" })).status).toBe(
      204,
    );
    const steps = await waitForEvents(hub.log, "ACTIONS", (e) => e.length === 6, {
      filter: ["actions.h-1.*", "actions.h-2.*"],
    });
    // Each action's steps come in lifecycle order; the two lifecycles may interleave (the device may answer h-1
    // before h-2's delivery is recorded).
    const of = (id: string) => steps.map((s) => s.subject).filter((s) => s.startsWith(`actions.${id}.`));
    expect(of("h-1")).toEqual(["actions.h-1.queued", "actions.h-1.delivered", "actions.h-1.completed"]);
    expect(of("h-2")).toEqual(["actions.h-2.queued", "actions.h-2.delivered", "actions.h-2.failed"]);
  });

  it("Given a device that announces a sleep, when its poll ends, then its presence is connected for the window and then asleep until it means to come back", async () => {
    const before = Date.now();
    const res = await call("GET", "/devices/http-a/actions?wait=1&sleep=600", "token-a");
    expect(res.status).toBe(204);
    const presence = await waitForEvents(
      hub.log,
      "PRESENCE",
      (e) => (e.at(-1)?.data as { state?: string })?.state === "asleep",
      {
        filter: subjects.presence("http-a"),
      },
    );
    const [connected, asleep] = presence.slice(-2).map((e) => e.data as { state: string; until: string });
    expect(connected?.state).toBe("connected");
    expect(asleep).toMatchObject({ state: "asleep", binding: "http", things: [THING] });
    const until = Date.parse(asleep?.until as string);
    expect(until).toBeGreaterThanOrEqual(before + 600_000);
    expect(until).toBeLessThan(Date.now() + 601_000);
  });

  it.each([["0"], ["-5"], ["2.5"], ["soon"], [String(31 * 24 * 3600)]])(
    "Given sleep=%s, when the device polls, then it is refused with a reason and nothing is recorded",
    async (sleep) => {
      const head = (await eventsIn(hub.log, "PRESENCE", subjects.presence("http-a"))).length;
      const res = await call("GET", `/devices/http-a/actions?wait=1&sleep=${sleep}`, "token-a");
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toMatch(/sleep must be whole seconds/);
      expect(await eventsIn(hub.log, "PRESENCE", subjects.presence("http-a"))).toHaveLength(head);
    },
  );

  it("Given a device waiting in a long-poll, when an action is requested, then the poll answers with it", async () => {
    const poll = call("GET", "/devices/http-a/actions?wait=30", "token-a");
    await new Promise((r) => setTimeout(r, 200));
    await request("h-3");
    const res = await poll;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject([{ actionId: "h-3" }]);
    const steps = await waitForEvents(hub.log, "ACTIONS", (e) => e.length >= 1, { filter: "actions.h-3.*" });
    expect(steps[0]?.data).toMatchObject({ via: "http" });
  });
});
