/** Plain-CoAP devices through libcoap's coap-client (a peer we did not write), with a real nats-server. */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { subjects } from "../../core/subjects.ts";
import { provisionTestDevice } from "../../test/harness/devices.ts";
import { eventsIn, waitForEvents } from "../shared/testing.ts";
import type { CoapWorker } from "./coap-worker.ts";
import {
  codeOf,
  type Datagram,
  DatagramClient,
  decodeDatagram,
  encodeDatagram,
  option,
} from "./testing/coap-datagrams.ts";
import { type CoapTestHub, startCoapTestHub } from "./testing/coap-hub.ts";

const run = promisify(execFile);
let hub: CoapTestHub;
let log: JetStreamEventLog;
let worker: CoapWorker;
let token: string;
const device = "coap-dev-1";
const thing = "urn:dev:coap:lamp-1";

beforeAll(async () => {
  hub = await startCoapTestHub("coap");
  log = hub.log;
  worker = await hub.worker({ authenticator: hub.registry });
  token = (await provisionTestDevice(log, hub.dataDir, device)).token;
  await hub.registry.sync();
}, 60_000);

afterAll(async () => {
  await hub?.stop();
});

const url = (path: string) => `coap://127.0.0.1:${worker.port}/${path}`;
const auth = () => ["-O", `65000,${token}`];

async function coap(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run("coap-client-notls", ["-B", "10", ...args], { timeout: 20_000 });
}

const td = (extra = 0) => ({
  id: thing,
  title: "CoAP lamp",
  description: "x".repeat(extra),
  properties: { level: { type: "number" } },
  actions: { blink: {} },
});

describe("plain CoAP devices (libcoap coap-client)", () => {
  it("When a device PUTs its TD and POSTs an event with its token, then both are stored as the device's facts", async () => {
    await coap(["-m", "put", "-t", "50", "-e", JSON.stringify(td()), ...auth(), url(`things/${thing}/td`)]);
    await coap(["-m", "post", "-t", "50", "-e", '{"celsius":81}', ...auth(), url(`things/${thing}/event/overheated`)]);
    const events = await waitForEvents(log, "EVENTS", (e) => e.length > 0, {
      filter: subjects.event(thing, "overheated"),
    });
    expect(events[0]).toMatchObject({ data: { celsius: 81 }, source: `devices/${device}` });
  });

  it("When a device sends a large TD in blocks and reads it back in blocks, then it arrives whole both ways", async () => {
    const big = JSON.stringify(td(3000));
    await coap(["-m", "put", "-b", "64", "-t", "50", "-e", big, ...auth(), url(`things/${thing}/td`)]);
    await waitForEvents(
      log,
      "THINGS",
      (e) => e.some((x) => (x.data as { description?: string }).description?.length === 3000),
      {
        filter: subjects.thingTd(thing),
      },
    );
    const { stdout } = await coap(["-m", "get", "-b", "64", ...auth(), url(`things/${thing}/td`)]);
    expect(JSON.parse(stdout.trim())).toMatchObject({ id: thing, description: "x".repeat(3000) });
  });

  it("When a device sends more than the payload limit in blocks, then it gets 4.13 and nothing is stored", async () => {
    const { stdout, stderr } = await coap([
      "-m",
      "post",
      "-b",
      "1024",
      "-e",
      JSON.stringify({ big: "x".repeat(70_000) }),
      ...auth(),
      url(`things/${thing}/event/huge`),
    ]);
    expect(`${stdout}${stderr}`).toContain("4.13");
    expect(await eventsIn(log, "EVENTS", subjects.event(thing, "huge"))).toHaveLength(0);
  });

  it("Given a device observing its actions, when an action is requested, then it is notified and its status completes the action", async () => {
    const observer: ChildProcess = spawn("coap-client-notls", [
      "-s",
      "30",
      "-B",
      "30",
      ...auth(),
      url(`devices/${device}/actions`),
    ]);
    let out = "";
    observer.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    try {
      await waitForEvents(log, "PRESENCE", (e) => e.some((x) => (x.data as { state: string }).state === "connected"), {
        filter: subjects.presence(device),
      });
      const actionId = "act-coap-1";
      await log.append({
        subject: subjects.actionRequest(thing, "blink"),
        type: "spokes.ActionRequested",
        data: { actionId, input: { times: 3 } },
      });
      const deadline = Date.now() + 15_000;
      while (!out.includes(actionId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain(`"actionId":"${actionId}"`);
      await waitForEvents(log, "ACTIONS", (e) => e.length > 0, { filter: subjects.actionState(actionId, "delivered") });
      await coap([
        "-m",
        "post",
        "-e",
        '{"status":"completed","output":{"ok":true}}',
        ...auth(),
        url(`actions/${actionId}/status`),
      ]);
      const done = await waitForEvents(log, "ACTIONS", (e) => e.length > 0, {
        filter: subjects.actionState(actionId, "completed"),
      });
      expect(done[0]?.data).toMatchObject({ output: { ok: true } });
    } finally {
      observer.kill("SIGKILL");
    }
  });

  it.each([
    ["no token", "4.01", [] as string[]],
    ["a forged token", "4.01", ["-O", "65000,eyJhbGciOiJFZERTQSJ9.e30.c2ln"]],
    ["its token", "2.04", ["TOKEN"]],
  ])("When a device publishes with %s, then it gets %s", async (_what, code, extra) => {
    const name = `probe-${code}`;
    const target = url(`things/${thing}/event/${name}`);
    const args = extra[0] === "TOKEN" ? auth() : extra;
    const { stdout, stderr } = await coap(["-m", "post", "-e", "1", ...args, target]);
    if (code !== "2.04") expect(`${stdout}${stderr}`).toContain(code);
    const stored = await eventsIn(log, "EVENTS", subjects.event(thing, name));
    expect(stored.length).toBe(code === "2.04" ? 1 : 0);
  });
});

describe("plain CoAP values answered straight from the datagram", () => {
  const TOKEN = 65000;
  const post = (thingId: string, path: string[], body: string, messageId: number, withToken = token): Datagram => ({
    code: path[0] === "td" ? "0.03" : "0.02",
    messageId,
    token: Uint8Array.of(7, messageId & 0xff),
    options: [
      ...(["things", thingId, ...path].map((p) => [option.uriPath, p]) as [number, string][]),
      [TOKEN, withToken],
    ],
    payload: body,
  });

  it("Given a confirmable event sent again with the same message id, then both copies are answered 2.04 and it is stored once", async () => {
    const id = "urn:dev:coap:direct-1";
    const client = await DatagramClient.open(worker.port);
    try {
      const described = await client.request(post(id, ["td"], JSON.stringify({ id, title: "direct" }), 4100));
      expect(codeOf(described)).toBe("2.04");
      const event = encodeDatagram(post(id, ["event", "tick"], '{"n":1}', 4101));
      await client.send(event);
      await client.send(event);
      const first = await client.request(post(id, ["event", "tick"], '{"n":1}', 4101));
      expect(codeOf(first)).toBe("2.04");
      await client.request(post(id, ["event", "tock"], '{"n":2}', 4102));
      const stored = await eventsIn(log, "EVENTS", subjects.event(id, "tick"));
      expect(stored.map((e) => e.data)).toEqual([{ n: 1 }]);
      const copies = client.answers.filter((m) => decodeDatagram(m)?.messageId === 4101);
      expect(copies.length).toBeGreaterThanOrEqual(1);
      expect(copies.every((m) => codeOf(m) === "2.04")).toBe(true);
    } finally {
      client.close();
    }
  });

  it("Given a device whose token was just used, when it is revoked and provisioned again, then the old token is refused 4.01 at once and the new one works", async () => {
    const revoked = "coap-dev-revoked";
    const id = "urn:dev:coap:revoked-1";
    const own = (await provisionTestDevice(log, hub.dataDir, revoked)).token;
    await hub.registry.sync();
    const client = await DatagramClient.open(worker.port);
    try {
      expect(codeOf(await client.request(post(id, ["td"], JSON.stringify({ id, title: "r" }), 4300, own)))).toBe(
        "2.04",
      );
      expect(codeOf(await client.request(post(id, ["event", "e"], "1", 4301, own)))).toBe("2.04");
      await hub.registry.flow.decide("revoke", revoked, "admin", "lost", "test");
      await hub.registry.sync();
      expect(codeOf(await client.request(post(id, ["event", "e"], "2", 4302, own)))).toBe("4.01");
      const fresh = (await provisionTestDevice(log, hub.dataDir, revoked)).token;
      await hub.registry.sync();
      expect(hub.registry.isActive(revoked)).toBe(true);
      expect(codeOf(await client.request(post(id, ["event", "e"], "3", 4303, own)))).toBe("4.01");
      expect(codeOf(await client.request(post(id, ["event", "e"], "4", 4304, fresh)))).toBe("2.04");
      expect((await eventsIn(log, "EVENTS", subjects.event(id, "e"))).map((e) => e.data)).toEqual([1, 4]);
    } finally {
      client.close();
    }
  });

  it("Given a value with a forged token or not JSON, then it is answered 4.01 or 4.00 and nothing is stored", async () => {
    const id = "urn:dev:coap:direct-1";
    const client = await DatagramClient.open(worker.port);
    try {
      const forged = await client.request(post(id, ["event", "forged"], "{}", 4200, `${token}x`));
      expect(codeOf(forged)).toBe("4.01");
      const garbage = await client.request(post(id, ["event", "forged"], "{not json", 4201));
      expect(codeOf(garbage)).toBe("4.00");
      expect(await eventsIn(log, "EVENTS", subjects.event(id, "forged"))).toEqual([]);
    } finally {
      client.close();
    }
  });
});
