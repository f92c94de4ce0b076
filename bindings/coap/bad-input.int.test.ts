/**
 * Bad input on the CoAP port: garbage and truncated datagrams, malformed registrations, wrong content formats,
 * floods, unknown endpoints, and a client answering with bad TLV. Each is answered with the right code or
 * dropped, and the worker keeps serving.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import { ValidationError } from "../../core/errors.ts";
import { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { createLogger } from "../../core/log.ts";
import { subjects } from "../../core/subjects.ts";
import { startTestNats, type TestNats } from "../../test/harness/index.ts";
import { waitForEvents } from "../shared/testing.ts";
import { CoapWorker } from "./coap-worker.ts";
import { codeOf, type Datagram, DatagramClient, encodeDatagram, option } from "./testing/coap-datagrams.ts";

let nats: TestNats;
let log: JetStreamEventLog;
let worker: CoapWorker;
const allowed = new Set(["good-1", "tlv-liar", "flood-1", "timed-1"]);
const refused: string[] = [];

beforeAll(async () => {
  nats = await startTestNats();
  log = await JetStreamEventLog.open({ servers: nats.url, settings: loadConfig({}) });
  worker = await CoapWorker.start({
    log,
    logger: createLogger("error"),
    port: 0,
    host: "127.0.0.1",
    requestTimeoutMs: 3000,
    autoObserve: false,
    registerRate: { max: 30, windowMs: 60_000 },
    gate: {
      mayRegister: (ep) => allowed.has(ep),
      refused: async (ep) => {
        refused.push(ep);
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await log?.close();
  await nats?.stop();
});

const register = (query: string[], payload: string | Uint8Array = "</1/0>,</3303/0>", format?: number): Datagram => ({
  code: "0.02",
  options: [
    [option.uriPath, "rd"],
    ...(format !== undefined
      ? ([[option.contentFormat, Uint8Array.of(format >> 8, format & 0xff)]] as [number, Uint8Array][])
      : []),
    ...query.map((q) => [option.uriQuery, q] as [number, string]),
  ],
  payload,
});

/** The worker still answers: an Update for an unknown registration gets 4.04. */
async function stillServing(client: DatagramClient) {
  const answer = await client.request({
    code: "0.02",
    options: [
      [option.uriPath, "rd"],
      [option.uriPath, "nope"],
    ],
  });
  expect(codeOf(answer)).toBe("4.04");
}

describe("bad datagrams", () => {
  it.each([
    ["an empty datagram", Buffer.alloc(0)],
    ["two bytes", Buffer.from([0x40, 0x01])],
    ["a header whose token is cut short", Buffer.from([0x48, 0x02, 0x12, 0x34, 1, 2])],
    ["version 2", Buffer.from([0x80, 0x02, 0x12, 0x34])],
    ["an option running past the end", Buffer.from([0x40, 0x02, 0x12, 0x35, 0xbd, 0x05, 0x72])],
    ["a payload marker with no payload", Buffer.from([0x40, 0x02, 0x12, 0x36, 0xff])],
    ["text", Buffer.from("GET /rd HTTP/1.1\r\n\r\n")],
  ])("Given %s, then it is dropped and the worker keeps serving", async (_what, datagram) => {
    const client = await DatagramClient.open(worker.port);
    try {
      await client.send(datagram);
      await stillServing(client);
    } finally {
      client.close();
    }
  });

  it("Given a thousand random datagrams and mutated Registers, then the worker keeps serving", async () => {
    // A worker of its own, so the Registers among the mutants do not use up the shared worker's rate limit.
    const own = await CoapWorker.start({
      log,
      logger: createLogger("error"),
      port: 0,
      host: "127.0.0.1",
      autoObserve: false,
      registerRate: { max: 100_000, windowMs: 1000 },
      gate: { mayRegister: () => false, refused: async () => {} },
    });
    const client = await DatagramClient.open(own.port);
    try {
      const valid = encodeDatagram(register(["ep=good-1", "lt=60"]));
      const randoms = fc.sample(fc.uint8Array({ maxLength: 80 }), 500);
      const mutated = fc.sample(
        fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.nat({ max: valid.length })),
        500,
      );
      const datagrams = [
        ...randoms.map((bytes) => Buffer.from(bytes)),
        ...mutated.map(([at, value, cut]) => {
          const copy = Buffer.from(valid);
          copy[at] = value;
          return copy.subarray(0, Math.max(cut, 1));
        }),
      ];
      for (const [i, datagram] of datagrams.entries()) {
        await client.send(datagram);
        // Checked along the way as well as at the end: no datagram may stop the worker.
        if (i % 100 === 99) await stillServing(client);
      }
      await stillServing(client);
    } finally {
      client.close();
      await own.stop();
    }
  });
});

describe("bad registrations", () => {
  let client: DatagramClient;
  beforeAll(async () => {
    client = await DatagramClient.open(worker.port);
  });
  afterAll(() => client.close());

  it.each(
    (
      [
        ["no endpoint name", register(["lt=60"]), "4.00"],
        ["a lifetime that is not a number", register(["ep=good-1", "lt=soon"]), "4.00"],
        ["an unknown LwM2M version", register(["ep=good-1", "lwm2m=9.9"]), "4.00"],
        ["a repeated parameter", register(["ep=good-1", "ep=good-1"]), "4.00"],
        ["a payload that is not link format", register(["ep=good-1"], '{"objects":[3]}'), "4.00"],
        ["a payload that is not UTF-8", register(["ep=good-1"], Uint8Array.of(0x3c, 0xc3, 0x28, 0x3e)), "4.00"],
        ["a JSON content format", register(["ep=good-1"], "</1/0>", 50), "4.15"],
        ["an unknown endpoint", register(["ep=stranger"]), "4.03"],
        ["GET on the registration interface", { code: "0.01", options: [[option.uriPath, "rd"]] } as Datagram, "4.05"],
        [
          "DELETE of an unknown registration",
          {
            code: "0.04",
            options: [
              [option.uriPath, "rd"],
              [option.uriPath, "x"],
            ],
          } as Datagram,
          "4.04",
        ],
      ] as [string, Datagram, string][]
    ).map(([what, datagram, code]) => [what, code, datagram] as const),
  )("Given %s, then the answer is %s", async (_what, code, datagram) => {
    expect(codeOf(await client.request(datagram))).toBe(code);
  });

  it("Given an unknown endpoint, then its attempt is recorded for provisioning", () => {
    expect(refused).toContain("stranger");
  });
});

describe("a client that answers with bad payloads", () => {
  it("Given a registered client, when it answers a Read with broken TLV or an unknown format, then the read fails with a validation error and the worker keeps serving", async () => {
    const client = await DatagramClient.open(worker.port);
    try {
      const tlv = Uint8Array.of(0x2d, 0x2b); // 11542
      client.onRequest = (d) => {
        const path = `/${d.paths.join("/")}`;
        if (path === "/3303/0/5700")
          return { code: "2.05", options: [[option.contentFormat, tlv]], payload: Uint8Array.of(0xe4, 0x16, 0x44) };
        if (path === "/3303/0/5601")
          return { code: "2.05", options: [[option.contentFormat, Uint8Array.of(50)]], payload: "21.5" };
        return { code: "4.04" };
      };
      expect(codeOf(await client.request(register(["ep=tlv-liar", "lt=60"])))).toBe("2.01");
      const m = worker.lwm2m.management;
      await expect(m.read("tlv-liar", "/3303/0/5700")).rejects.toBeInstanceOf(ValidationError);
      await expect(m.read("tlv-liar", "/3303/0/5601")).rejects.toBeInstanceOf(ValidationError);
      await expect(m.read("tlv-liar", "/3303/0/5602")).rejects.toThrow(/4\.04/);
      await stillServing(client);
    } finally {
      client.close();
    }
  });
});

describe("values with the device's time", () => {
  it("Given a client answering in SenML JSON with a base time, when the hub reads, then the property value carries that time", async () => {
    const client = await DatagramClient.open(worker.port);
    try {
      const deviceTime = Math.floor(Date.now() / 1000) - 3600;
      client.onRequest = (d) =>
        d.paths.join("/") === "3303/0/5700"
          ? {
              code: "2.05",
              options: [[option.contentFormat, Uint8Array.of(110)]],
              payload: JSON.stringify([{ bn: "/3303/0/5700", bt: deviceTime, v: 21.5 }]),
            }
          : { code: "4.04" };
      expect(codeOf(await client.request(register(["ep=timed-1", "lt=60"])))).toBe("2.01");
      await waitForEvents(log, "THINGS", (e) => e.length > 0, { filter: subjects.thingTd("timed-1/3303/0") });
      // The Things are described before values are reported; wait until the registration says so.
      while (!worker.lwm2m.registrations.byEndpoint("timed-1")?.described) await new Promise((r) => setTimeout(r, 20));
      await worker.lwm2m.management.read("timed-1", "/3303/0/5700", 110);
      const [value] = await waitForEvents(log, "EVENTS", (e) => e.length > 0, {
        filter: subjects.property("timed-1/3303/0", "sensor-value"),
      });
      expect(value).toMatchObject({ data: 21.5, time: new Date(deviceTime * 1000).toISOString() });
    } finally {
      client.close();
    }
  });
});

describe("registration floods", () => {
  it("Given a flood of Registers from one address, then those past the limit get 4.29", async () => {
    const flood = await DatagramClient.open(worker.port);
    try {
      const codes: string[] = [];
      for (let i = 0; i < 40; i++) codes.push(codeOf(await flood.request(register(["ep=flood-1", "lt=60"]))) ?? "");
      expect(codes.filter((c) => c === "2.01").length).toBeGreaterThan(0);
      expect(codes.filter((c) => c === "4.29").length).toBeGreaterThan(0);
      expect(codes.every((c) => c === "2.01" || c === "4.29")).toBe(true);
      expect(worker.lwm2m.registrations.all().filter((r) => r.endpoint === "flood-1")).toHaveLength(1);
    } finally {
      flood.close();
    }
  });
});

describe("many unknown endpoints", () => {
  it("Given Registers under many unknown names from one address, then all get 4.03 and only a few become provisioning requests", async () => {
    const recorded: string[] = [];
    const own = await CoapWorker.start({
      log,
      logger: createLogger("error"),
      port: 0,
      host: "127.0.0.1",
      autoObserve: false,
      registerRate: { max: 100_000, windowMs: 1000 },
      gate: {
        mayRegister: () => false,
        refused: async (ep) => {
          recorded.push(ep);
        },
      },
    });
    const client = await DatagramClient.open(own.port);
    try {
      const codes: string[] = [];
      for (let i = 0; i < 25; i++) codes.push(codeOf(await client.request(register([`ep=stranger-${i}`]))) ?? "");
      expect(new Set(codes)).toEqual(new Set(["4.03"]));
      expect(recorded).toHaveLength(10);
    } finally {
      client.close();
      await own.stop();
    }
  });
});
