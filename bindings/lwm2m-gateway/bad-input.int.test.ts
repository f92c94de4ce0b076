/**
 * Bad input from the upstream server: a node-coap server stands in for it (it accepts the gateway's Register),
 * then sends malformed and wrong requests from its own socket. Each gets the right CoAP code and the gateway keeps
 * answering.
 */
import { createSocket } from "node:dgram";
import { Agent, createServer, type IncomingMessage, request, type Server } from "coap";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { JetStreamGatewayMappings } from "../../core/jetstream-gateway-mappings.ts";
import { createLogger } from "../../core/log.ts";
import { subjects } from "../../core/subjects.ts";
import type { TestNats } from "../../test/harness/index.ts";
import type { Lwm2mGateway } from "./gateway.ts";
import { startTestLog, stopAll, testGateway, until } from "./testing.ts";

const LAMP = "urn:dev:lamp-2";
const EP = "spokes-gateway-bad-input";

let nats: TestNats;
let log: JetStreamEventLog;
let upstream: Server;
let agent: Agent;
let gateway: Lwm2mGateway;
let registered: Promise<IncomingMessage>;
let gatewayPort = 0;

type Sent = { method?: "GET" | "PUT" | "POST" | "DELETE"; path: string; query?: string; payload?: Buffer | string };
type Options = { format?: number; accept?: number; observe?: 0 | 1; token?: Buffer };

function send(r: Sent, o: Options = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({
      hostname: "127.0.0.1",
      port: gatewayPort,
      method: r.method ?? "GET",
      pathname: r.path,
      ...(r.query ? { query: r.query } : {}),
      ...(o.observe === undefined ? {} : { observe: o.observe }),
      ...(o.token ? { token: o.token } : {}),
      agent,
    });
    if (o.format !== undefined) req.setOption("Content-Format", o.format);
    if (o.accept !== undefined) req.setOption("Accept", o.accept);
    req.on("response", resolve);
    req.on("error", reject);
    if (r.payload !== undefined) req.write(r.payload);
    req.end();
  });
}

beforeAll(async () => {
  ({ nats, log } = await startTestLog());
  await log.append({ subject: subjects.property(LAMP, "level"), type: "spokes.PropertyReported", data: 5 });
  await log.append({ subject: subjects.property(LAMP, "name"), type: "spokes.PropertyReported", data: "hall" });
  registered = new Promise((resolve) => {
    upstream = createServer((req, res) => {
      if (req.method === "POST" && req.url.startsWith("/rd?")) {
        res.code = "2.01";
        res.setOption("Location-Path", [Buffer.from("rd"), Buffer.from("bad1")]);
        resolve(req);
      } else res.code = "2.04";
      res.end();
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", () => resolve()));
  const socket = (upstream as unknown as { _sock: import("node:dgram").Socket })._sock;
  agent = new Agent({ socket });
  gateway = await testGateway({
    log,
    serverUrl: `coap://127.0.0.1:${socket.address().port}`,
    endpoint: EP,
    lifetimeSeconds: 60,
    notifyIntervalSeconds: 60,
    seed: {
      firstObjectId: 26241,
      exposures: [
        { thing: LAMP, kind: "property", name: "level", type: "integer", access: "readwrite" }, // /26241/0/2
        { thing: LAMP, kind: "property", name: "name", type: "string" }, // /26241/1/1
      ],
    },
    logger: createLogger("error"),
  });
  await gateway.start();
  await registered;
  gatewayPort = gateway.address()?.port ?? 0;
}, 60_000);

afterAll(() => stopAll(gateway, upstream, log, nats));

describe("bad input from the upstream server", () => {
  it.each<[string, Sent, Options, string]>([
    ["an unexposed instance", { path: "/26241/9/2" }, {}, "4.04"],
    ["an unexposed object", { path: "/4242" }, {}, "4.04"],
    ["a resource instance", { path: "/26241/0/2/0" }, {}, "4.04"],
    ["a path that is no LwM2M path", { path: "/rd/x" }, {}, "4.04"],
    ["ids with leading zeros", { path: "/026241/0/2" }, {}, "4.04"],
    ["an id out of range", { path: "/70000/0/2" }, {}, "4.04"],
    ["a format the gateway cannot produce", { path: "/26241/0/2" }, { accept: 9999 }, "4.06"],
    ["text/plain for a whole instance", { path: "/26241/0" }, { accept: 0 }, "4.06"],
    ["a string where an integer belongs", { method: "PUT", path: "/26241/0/2", payload: "abc" }, { format: 0 }, "4.00"],
    ["a float where an integer belongs", { method: "PUT", path: "/26241/0/2", payload: "1.5" }, { format: 0 }, "4.00"],
    [
      "a truncated TLV",
      { method: "PUT", path: "/26241/0/2", payload: Buffer.from([0xc8, 0x02]) },
      { format: 11542 },
      "4.00",
    ],
    [
      "a TLV for another resource",
      { method: "PUT", path: "/26241/0/2", payload: Buffer.from([0xc1, 0x05, 0x07]) },
      { format: 11542 },
      "4.00",
    ],
    ["malformed LwM2M JSON", { method: "PUT", path: "/26241/0/2", payload: '{"e":[' }, { format: 11543 }, "4.00"],
    [
      "JSON with a string for an integer",
      { method: "PUT", path: "/26241/0/2", payload: '{"bn":"/26241/0/2","e":[{"n":"","sv":"x"}]}' },
      { format: 11543 },
      "4.00",
    ],
    ["an unknown content format", { method: "PUT", path: "/26241/0/2", payload: "7" }, { format: 9999 }, "4.15"],
    ["no content format", { method: "PUT", path: "/26241/0/2", payload: "7" }, {}, "4.00"],
    [
      "invalid UTF-8 in text",
      { method: "PUT", path: "/26241/1/1", payload: Buffer.from([0xff, 0xfe]) },
      { format: 0 },
      "4.00",
    ],
    ["a write to a read-only property", { method: "PUT", path: "/26241/1/1", payload: "x" }, { format: 0 }, "4.05"],
    ["a write to an unexposed resource", { method: "PUT", path: "/26241/0/3", payload: "1.5" }, { format: 0 }, "4.04"],
    ["a write to the gateway's own lifetime", { method: "PUT", path: "/1/0/1", payload: "5" }, { format: 0 }, "4.05"],
    ["an execute on a property", { method: "POST", path: "/26241/0/2" }, {}, "4.05"],
    ["a create on an object", { method: "POST", path: "/26241", payload: "" }, { format: 11542 }, "4.05"],
    ["a delete", { method: "DELETE", path: "/26241/0" }, {}, "4.05"],
    ["unknown write attributes", { method: "PUT", path: "/26241/0/2", query: "foo=1" }, {}, "4.00"],
    ["a negative pmin", { method: "PUT", path: "/26241/0/2", query: "pmin=-1" }, {}, "4.00"],
    ["an observe of an unexposed path", { path: "/26241/7/2" }, { observe: 0 }, "4.04"],
  ])("%s is answered %s", async (_, sent, options, code) => {
    const res = await send(sent, options);
    expect(res.code).toBe(code);
  });

  it("Given a host that is not the server, When it writes, Then it gets 4.03 and nothing is requested", async () => {
    const stranger = new Agent({ type: "udp4" });
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = request({
        hostname: "127.0.0.1",
        port: gatewayPort,
        method: "PUT",
        pathname: "/26241/0/2",
        agent: stranger,
      });
      req.setOption("Content-Format", 0);
      req.on("response", resolve);
      req.on("error", reject);
      req.end("99");
    });
    stranger.close();
    expect(res.code).toBe("4.03");
    const inputs: unknown[] = [];
    for await (const e of log.read({
      stream: "ACTIONS",
      filter: subjects.actionRequest(LAMP, "writeproperty:level"),
    })) {
      inputs.push((e.data as { input: unknown }).input);
    }
    expect(inputs).not.toContain(99);
  });

  it("Given garbage and truncated datagrams, When they arrive, Then the gateway still answers a good read", async () => {
    const raw = createSocket("udp4");
    const datagrams = [
      Buffer.from([0x40]), // truncated header
      Buffer.from([0x48, 0x01, 0x00, 0x01]), // token length 8, no token
      Buffer.from([0x40, 0x01, 0x00, 0x02, 0xff]), // payload marker, no payload
      Buffer.from("not coap at all"),
      Buffer.from([0x40, 0x01, 0x00, 0x03, 0xbf, 0x01]), // option delta 15 (reserved)
    ];
    for (const d of datagrams) await new Promise((r) => raw.send(d, gatewayPort, "127.0.0.1", r));
    raw.close();
    const res = await send({ path: "/26241/0/2" }, { accept: 0 });
    expect(res.code).toBe("2.05");
    expect(res.payload.toString()).toBe("5");
  });

  it("Given an observation, When the server sends an observe-cancel GET, Then the observation ends and the GET is answered", async () => {
    const token = Buffer.from("0badcafe", "hex");
    const first = await send({ path: "/26241/0/2" }, { observe: 0, accept: 0, token });
    expect(first.code).toBe("2.05");
    expect(gateway.observing).toBe(1);
    const cancel = await send({ path: "/26241/0/2" }, { observe: 1, accept: 0, token });
    expect(cancel.code).toBe("2.05");
    expect(gateway.observing).toBe(0);
  });

  it("Given an observation, When the mapping stops exposing its path, Then the observation ends with 4.04", async () => {
    const token = Buffer.from("0bad0bad", "hex");
    const first = await send({ path: "/26241/1/1" }, { observe: 0, accept: 0, token });
    expect(first.code).toBe("2.05");
    const codes: string[] = [];
    first.on("data", () => codes.push(first.code));
    expect(gateway.observing).toBe(1);
    const level = { thing: LAMP, kind: "property", name: "level", type: "integer", access: "readwrite" } as const;
    await (await JetStreamGatewayMappings.open(log)).set(EP, { firstObjectId: 26241, exposures: [level] }, "test");
    await until(() => codes.includes("4.04"));
    expect(gateway.observing).toBe(0);
  });

  it("Given the gateway's UDP port is taken, When a second gateway starts on it, Then start fails with a clear error", async () => {
    const second = await testGateway({
      log,
      serverUrl: "coap://127.0.0.1:9",
      endpoint: "second",
      lifetimeSeconds: 60,
      notifyIntervalSeconds: 60,
      port: gatewayPort,
      logger: createLogger("error"),
    });
    await expect(second.start().finally(() => second.stop())).rejects.toThrow(/cannot listen on UDP port/);
  });

  it("Given a valid write after all that, Then it is still stored as a property write", async () => {
    const res = await send({ method: "PUT", path: "/26241/0/2", payload: "9" }, { format: 0 });
    expect(res.code).toBe("2.04");
    let input: unknown;
    for await (const e of log.read({
      stream: "ACTIONS",
      filter: subjects.actionRequest(LAMP, "writeproperty:level"),
    })) {
      input = (e.data as { input: unknown }).input;
    }
    expect(input).toBe(9);
  });
});
