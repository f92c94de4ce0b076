import { MsgHdrsImpl } from "@nats-io/nats-core/internal";
import { describe, expect, it } from "vitest";
import { parseCeHeaders } from "./ce-headers.ts";

const KEYS = { id: "ce-id", type: "ce-type", source: "ce-source", time: "ce-time", received: "ce-received" } as const;

/** What nats.js's own header map gives for the same block ("" for an absent key, as `decodeMessage` treats it). */
function viaNats(block: string) {
  const h = MsgHdrsImpl.decode(new TextEncoder().encode(block));
  return Object.fromEntries(Object.entries(KEYS).map(([field, key]) => [field, h.get(key) || undefined]));
}

const withoutAbsent = (o: object) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ""));

describe("parseCeHeaders", () => {
  const blocks: [string, string][] = [
    [
      "all five, as the log writes them",
      "NATS/1.0\r\nce-specversion: 1.0\r\nce-id: abc\r\nce-type: spokes.PropertyReported\r\nce-source: mqtt/d-7\r\nce-time: 2025-03-01T12:00:00.000Z\r\nce-received: 2025-03-01T12:00:01.000Z\r\ncontent-type: application/json\r\nNats-Msg-Id: abc\r\n\r\n",
    ],
    ["none of them", "NATS/1.0\r\nNats-Msg-Id: x\r\n\r\n"],
    ["only the status line", "NATS/1.0\r\n\r\n"],
    ["a status code", "NATS/1.0 100 Idle Heartbeat\r\nce-id: y\r\n\r\n"],
    ["the first of repeated keys", "NATS/1.0\r\nce-id: first\r\nce-id: second\r\n\r\n"],
    ["values trimmed, colons kept", "NATS/1.0\r\nce-source:   urn:dev:ops:1  \r\nce-time:2025-01-01T00:00:00Z\r\n\r\n"],
    ["keys match exactly", "NATS/1.0\r\nCe-Id: upper\r\nce-type: t\r\n\r\n"],
    ["an empty value", "NATS/1.0\r\nce-type:\r\nce-id: z\r\n\r\n"],
    ["a line without a colon", "NATS/1.0\r\nnonsense\r\nce-id: q\r\n\r\n"],
    ["no final CRLF", "NATS/1.0\r\nce-id: last"],
    ["prototype names are not fields", "NATS/1.0\r\nconstructor: x\r\n__proto__: y\r\nce-id: w\r\n\r\n"],
    ["non-ASCII values", "NATS/1.0\r\nce-source: küche/lampe ☀\r\n\r\n"],
  ];
  it.each(blocks)("reads %s as nats.js does", (_, block) => {
    expect(withoutAbsent(parseCeHeaders(block))).toEqual(withoutAbsent(viaNats(block)));
  });

  it("reads the fields by name", () => {
    expect(
      parseCeHeaders("NATS/1.0\r\nce-id: a\r\nce-type: t\r\nce-source: s\r\nce-time: 1\r\nce-received: 2\r\n\r\n"),
    ).toEqual({ id: "a", type: "t", source: "s", time: "1", received: "2" });
  });
});
