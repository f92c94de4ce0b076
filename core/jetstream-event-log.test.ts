import { headers as natsHeaders } from "@nats-io/nats-core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCeHeaders } from "./ce-headers.ts";
import { ValidationError } from "./errors.ts";
import { deliveryOf, headerBlockText, jsonBytesKeep, jsonTextKeeps, natsServers } from "./jetstream-event-log.ts";

describe("deliveryOf", () => {
  it("Given the short ack subject, When read, Then stream, sequences, time and pending come out", () => {
    expect(deliveryOf("$JS.ACK.EVENTS.rp1x.1.6.7.1795311695917.99994")).toEqual({
      stream: "EVENTS",
      streamSequence: 6,
      deliverySequence: 7,
      timestampNanos: 1795311695917,
      pending: 99994,
    });
  });

  it("Given the long form with domain and account hash, with or without the trailing token, When read, Then the same fields come out", () => {
    const fields = { stream: "THINGS", streamSequence: 12, deliverySequence: 3, timestampNanos: 17, pending: 0 };
    expect(deliveryOf("$JS.ACK.hub.ACCHASH.THINGS.c_1.2.12.3.17.0")).toEqual(fields);
    expect(deliveryOf("$JS.ACK._.ACCHASH.THINGS.c_1.2.12.3.17.0.r4nd")).toEqual(fields);
  });

  it.each([
    ["not an ack subject", "_INBOX.abc.def"],
    ["too few tokens", "$JS.ACK.EVENTS.c.1.6.7.17"],
    ["a sequence that is not a number", "$JS.ACK.EVENTS.c.1.six.7.17.0"],
    ["an empty sequence", "$JS.ACK.EVENTS.c.1..7.17.0"],
  ])("Given %s, When read, Then there is no delivery", (_, reply) => {
    expect(deliveryOf(reply)).toBeUndefined();
  });
});

describe("jsonTextKeeps", () => {
  it.each([
    ['{"watts":5,"phase":"L1"}', true],
    ['[ -12, 0, 999999999999999, "v1" ]', true],
    ['"text"', true],
    ['{"n":1.5}', false],
    ["1.0", false],
    ["1e5", false],
    ["2E-3", false],
    ["-0", false],
    ["1234567890123456", false],
    ['"v1.2"', false],
  ])("Given %s, When checked, Then it is kept as is: %s", (text, keeps) => {
    expect(jsonTextKeeps(text)).toBe(keeps);
  });

  it("Given any JSON number, When its text is kept as is, Then JavaScript writes it the same way", () => {
    const literal = fc.stringMatching(/^-?(0|[1-9]\d{0,20})(\.\d{1,6})?([eE][+-]?\d{1,3})?$/);
    fc.assert(
      fc.property(literal, (text) => {
        if (jsonTextKeeps(text)) expect(JSON.stringify(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it("Given any text, When its UTF-8 bytes are checked in place, Then the answer is the text's", () => {
    const text = fc.oneof(fc.string({ unit: fc.constantFrom(...'0123456789.eE-+ "a\u00e9') }), fc.string());
    fc.assert(
      fc.property(text, fc.string({ maxLength: 3 }), (t, around) => {
        const bytes = Buffer.from(around + t + around);
        const from = Buffer.byteLength(around);
        expect(jsonBytesKeep(bytes, from, from + Buffer.byteLength(t))).toBe(jsonTextKeeps(t));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("headerBlockText", () => {
  const fields = {
    id: "ev-1",
    type: "spokes.EventEmitted",
    source: "devices/dev-1",
    time: "2026-11-22T04:00:00.000Z",
    received: "2026-11-22T04:00:01.000Z",
  };

  it("Given an append's fields, When written, Then the block is byte for byte what nats.js writes for the same header map", () => {
    const h = natsHeaders();
    h.set("ce-specversion", "1.0");
    h.set("ce-id", fields.id);
    h.set("ce-type", fields.type);
    h.set("ce-source", fields.source);
    h.set("ce-time", fields.time);
    h.set("ce-received", fields.received);
    h.set("content-type", "application/json");
    h.set("Nats-Msg-Id", fields.id);
    h.set("Nats-Expected-Last-Subject-Sequence", "7");
    h.set("Nats-Expected-Last-Subject-Sequence-Subject", "things.a.*");
    const text = headerBlockText({ ...fields, expectedLastSubjectSeq: 7, expectedLastSubjectSeqSubject: "things.a.*" });
    expect(text).toBe(h.toString());
  });

  it("Given an append without conditions, When written and read back, Then the CloudEvents fields come out unchanged", () => {
    const text = headerBlockText(fields);
    expect(parseCeHeaders(text.slice(0, -2))).toEqual(fields);
    expect(text).not.toContain("Nats-Expected");
  });

  it("Given an id or a source holding a line break, When written, Then it is refused before anything is sent", () => {
    expect(() => headerBlockText({ ...fields, id: "a\r\nNats-Msg-Id: b" })).toThrow(ValidationError);
    expect(() => headerBlockText({ ...fields, source: "devices/x\n" })).toThrow(ValidationError);
  });
});

describe("natsServers", () => {
  it("Given URLs with a user and password or a token, Then the credentials go apart and the URLs keep no secret", () => {
    expect(natsServers("nats://spokes:s%40cret@10.0.0.1:4222,nats://10.0.0.2:4222")).toEqual({
      servers: ["nats://10.0.0.1:4222", "nats://10.0.0.2:4222"],
      auth: { user: "spokes", pass: "s@cret" },
    });
    expect(natsServers(["tls://t0ken@nats.example:4443"])).toEqual({
      servers: ["tls://nats.example:4443"],
      auth: { token: "t0ken" },
    });
  });
  it("Given URLs without credentials, Then they stay as they are", () => {
    expect(natsServers("nats://127.0.0.1:4222")).toEqual({ servers: ["nats://127.0.0.1:4222"], auth: {} });
  });
});
