/**
 * Interop: the gateway against Eclipse Leshan's LwM2M server (test/peers/leshan-server), driven through the peer's
 * control API. Real nats-server, real Leshan, real UDP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { JetStreamGatewayMappings } from "../../core/jetstream-gateway-mappings.ts";
import type { GatewayMapping } from "../../core/lwm2m-gateway-mapping.ts";
import { subjects } from "../../core/subjects.ts";
import type { TestNats } from "../../test/harness/index.ts";
import {
  type LeshanEvent,
  type LeshanServer,
  startLeshanServer,
} from "../../test/peers/leshan-server/leshan-server.ts";
import type { Lwm2mGateway } from "./gateway.ts";
import { AFFORDANCE_OBJECT, startTestLog, stopAll, testGateway, until } from "./testing.ts";

const LAMP = "urn:dev:lamp-1";
const SENSOR = "urn:dev:sensor-1";
const EP = "spokes-gateway-1";

const mapping: GatewayMapping = {
  firstObjectId: 26241,
  exposures: [
    { thing: LAMP, kind: "property", name: "brightness", type: "integer", access: "readwrite" }, // /26241/0/2
    { thing: LAMP, kind: "property", name: "label", type: "string" }, // /26241/1/1 read-only
    { thing: LAMP, kind: "action", name: "blink" }, // /26241/2/7 execute
    { thing: SENSOR, kind: "event", name: "temperature", type: "float" }, // /26242/0/3
  ],
};

let nats: TestNats;
let log: JetStreamEventLog;
let mappings: JetStreamGatewayMappings;
let leshan: LeshanServer;
let gateway: Lwm2mGateway;

const report = (thing: string, kind: "property" | "event", name: string, value: unknown) =>
  log.append({
    subject: kind === "property" ? subjects.property(thing, name) : subjects.event(thing, name),
    type: kind === "property" ? "spokes.PropertyReported" : "spokes.EventEmitted",
    data: value,
    source: `devices/${thing}`,
  });

async function lastRequest(thing: string, name: string) {
  let last: { data: unknown; source: string } | undefined;
  for await (const e of log.read({ stream: "ACTIONS", filter: subjects.actionRequest(thing, name) })) last = e;
  return last;
}

const notified = (e: LeshanEvent) => (e.content?.kind === "resource" ? e.content.value : undefined);

beforeAll(async () => {
  ({ nats, log } = await startTestLog());
  mappings = await JetStreamGatewayMappings.open(log);
  leshan = await startLeshanServer();
  await leshan.addModel(26241, AFFORDANCE_OBJECT);
  await leshan.addModel(26242, AFFORDANCE_OBJECT);
  await report(LAMP, "property", "brightness", 42);
  await report(LAMP, "property", "label", "kitchen");
  await report(SENSOR, "event", "temperature", 21.5);
  gateway = await testGateway({
    log,
    mappings,
    serverUrl: leshan.url,
    endpoint: EP,
    lifetimeSeconds: 4,
    notifyIntervalSeconds: 2,
    seed: mapping,
  });
  await gateway.start();
  await leshan.waitFor((e) => e.kind === "registered" && e.endpoint === EP);
}, 120_000);

afterAll(() => stopAll(gateway, leshan, log, nats));

describe("the LwM2M gateway against Leshan", () => {
  it("Given a configured mapping, When the gateway starts, Then Leshan lists it as a 1.0 client with every exposed instance", async () => {
    const [client] = (await leshan.clients()).filter((c) => c.endpoint === EP);
    expect(client).toMatchObject({ endpoint: EP, version: "1.0", binding: "[U]", lifetime: 4 });
    expect(client?.objectLinks).toEqual(
      expect.arrayContaining(["</1/0>", "</3/0>", "</26241/0>", "</26241/1>", "</26241/2>", "</26242/0>"]),
    );
  });

  it.each([
    ["TLV", "TLV"],
    ["TEXT", "TEXT"],
    ["JSON", "JSON"],
  ])("Given a reported property, When Leshan reads it as %s, Then it gets the latest value", async (_, format) => {
    const r = await leshan.call(EP, "read", { path: "/26241/0/2", format });
    expect(r).toMatchObject({ code: "CONTENT", content: { kind: "resource", id: 2, value: 42 } });
  });

  it("Given an event, When Leshan reads the whole instance, Then it gets the latest value typed as float", async () => {
    const r = await leshan.call(EP, "read", { path: "/26242/0", format: "TLV" });
    expect(r.code).toBe("CONTENT");
    expect(r.content).toMatchObject({ kind: "instance", resources: [{ id: 3, type: "FLOAT", value: 21.5 }] });
  });

  it.each([
    ["TEXT", 8],
    ["JSON", 9],
  ])("When Leshan writes as %s, Then the value arrives as the property write's input", async (format, value) => {
    const r = await leshan.call(EP, "write", { path: "/26241/0/2", format, type: "integer", value });
    expect(r.code).toBe("CHANGED");
    expect(await lastRequest(LAMP, "writeproperty:brightness")).toMatchObject({ data: { input: value } });
  });

  it("When Leshan writes a read-write property, Then a property write is requested on the ACTIONS stream", async () => {
    const r = await leshan.call(EP, "write", { path: "/26241/0/2", format: "TLV", type: "integer", value: 7 });
    expect(r.code).toBe("CHANGED");
    const request = await lastRequest(LAMP, "writeproperty:brightness");
    expect(request).toMatchObject({
      data: { input: 7, requestedBy: EP, op: "writeproperty" },
      source: `lwm2m-gateway/${EP}`,
    });
  });

  it("When Leshan executes an exposed action with arguments, Then the action is requested with them as input", async () => {
    const r = await leshan.call(EP, "execute", { path: "/26241/2/7", args: "5='fast'" });
    expect(r.code).toBe("CHANGED");
    expect(await lastRequest(LAMP, "blink")).toMatchObject({ data: { input: "5='fast'", op: "invokeaction" } });
  });

  it.each([
    ["write", "/26241/1/1", { format: "TEXT", type: "string", value: "hall" }],
    ["execute", "/26241/0/2", {}],
    ["read", "/26241/2/7", {}],
  ])("Access modes: %s on %s is refused with 4.05", async (op, path, extra) => {
    const r = await leshan.call(EP, op, { path, ...extra });
    expect(r.code).toBe("METHOD_NOT_ALLOWED");
  });

  it("When Leshan reads an unexposed path, Then it gets 4.04", async () => {
    expect((await leshan.call(EP, "read", { path: "/26241/9/2", format: "TLV" })).code).toBe("NOT_FOUND");
  });

  it("Given an observation, Then Leshan is notified on change and again when pmax runs out, with rising numbers", async () => {
    const first = await leshan.call(EP, "observe", { path: "/26241/0/2", format: "TEXT" });
    expect(first).toMatchObject({ code: "CONTENT", content: { value: 42 } });
    await report(LAMP, "property", "brightness", 43);
    const changed = await leshan.waitFor(
      (e) => e.kind === "notification" && e.path === "/26241/0/2" && notified(e) === 43,
    );
    // Nothing changes now: the next notification comes because pmax (2 s here) ran out, same value, higher number.
    const timedOut = await leshan.waitFor((e) => e.kind === "notification" && e.path === "/26241/0/2");
    expect(timedOut.content).toMatchObject({ value: 43 });
    expect(timedOut.observe).toBeGreaterThan(changed.observe ?? 0);
    expect(timedOut.at - changed.at).toBeGreaterThanOrEqual(1_500);
  });

  it("When Leshan cancels the observation, Then its Reset of the next notification ends it in the gateway", async () => {
    expect(gateway.observing).toBe(1);
    expect(await leshan.call(EP, "cancel-observe", { path: "/26241/0/2" })).toEqual({ cancelled: 1 });
    await until(() => gateway.observing === 0);
    expect(gateway.observing).toBe(0);
  });

  it("Given pmin written by Leshan, When the value changes twice at once, Then the first notification comes no sooner than pmin and the latest value arrives", async () => {
    const attrs = await leshan.call(EP, "write-attributes", { path: "/26242/0/3", pmin: 1, pmax: 30 });
    expect(attrs.code).toBe("CHANGED");
    const observed = Date.now();
    expect((await leshan.call(EP, "observe", { path: "/26242/0/3", format: "JSON" })).code).toBe("CONTENT");
    await report(SENSOR, "event", "temperature", 22.5);
    await report(SENSOR, "event", "temperature", 23.5);
    const first = await leshan.waitFor((e) => e.kind === "notification" && e.path === "/26242/0/3");
    expect(first.at - observed).toBeGreaterThanOrEqual(1_000);
    const latest =
      notified(first) === 23.5
        ? first
        : await leshan.waitFor((e) => e.kind === "notification" && e.path === "/26242/0/3" && notified(e) === 23.5);
    expect(latest.content).toMatchObject({ value: 23.5 });
    await leshan.call(EP, "cancel-observe", { path: "/26242/0/3" });
  });

  it("When the mapping changes in JetStream, Then the gateway updates its registration with the new objects", async () => {
    const next = {
      ...mapping,
      exposures: [
        ...mapping.exposures,
        { thing: SENSOR, kind: "property" as const, name: "battery", type: "integer" as const },
      ],
    };
    await mappings.set(EP, next, "test");
    // Periodic updates come too; wait for the one that carries the new links.
    const links = async () => (await leshan.clients()).find((c) => c.endpoint === EP)?.objectLinks ?? [];
    while (!(await links()).includes("</26242/1>")) {
      await leshan.waitFor((e) => e.kind === "updated" && e.endpoint === EP);
    }
    expect(await links()).toContain("</26242/1>");
  });

  it("When Leshan restarts and forgets the gateway, Then the gateway registers again", async () => {
    await leshan.restart();
    await leshan.addModel(26241, AFFORDANCE_OBJECT);
    await leshan.waitFor((e) => e.kind === "registered" && e.endpoint === EP);
    const r = await leshan.call(EP, "read", { path: "/26241/0/2", format: "TLV" });
    expect(r).toMatchObject({ code: "CONTENT", content: { value: 43 } });
  });

  it("When the gateway stops, Then it de-registers and Leshan lists it no more", async () => {
    await gateway.stop();
    await leshan.waitFor((e) => e.kind === "deregistered" && e.endpoint === EP);
    expect((await leshan.clients()).filter((c) => c.endpoint === EP)).toEqual([]);
  });
});
