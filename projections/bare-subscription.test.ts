import { describe, expect, it } from "vitest";
import { type BareMessage, FrameReader, headerIn, messageOf, type Span, statusOf } from "./bare-subscription.ts";

const header = "NATS/1.0\r\nce-id: a\r\n\r\n";
const frame = (subject: string, reply: string, payload: string) =>
  `HMSG ${subject} 1 ${reply} ${Buffer.byteLength(header)} ${Buffer.byteLength(header) + Buffer.byteLength(payload)}\r\n${header}${payload}\r\n`;

function read(chunks: string[] | Buffer[]) {
  const messages: BareMessage[] = [];
  const lines: string[] = [];
  const reader = new FrameReader(
    (f) => messages.push(messageOf(f)),
    (l) => lines.push(l),
  );
  for (const c of chunks) reader.feed(typeof c === "string" ? Buffer.from(c) : c);
  return { messages, lines };
}

describe("FrameReader", () => {
  it("Given protocol lines and messages, When read, Then each message has its subject, reply, header and payload", () => {
    const text = `INFO {"a":1}\r\nPING\r\n${frame("things.t.property.p", "$JS.ACK.x", '{"v":1}')}MSG s 1 4\r\nbody\r\n`;
    const { messages, lines } = read([text]);
    expect(lines).toEqual(['INFO {"a":1}', "PING"]);
    expect(messages).toEqual([
      { subject: "things.t.property.p", reply: "$JS.ACK.x", header, payload: '{"v":1}' },
      { subject: "s", reply: undefined, header: "", payload: "body" },
    ]);
  });

  it("Given the bytes split at every position, multi-byte characters included, When read, Then the messages are the same", () => {
    const bytes = Buffer.from(frame("a.b", "r.1", '{"t":"é€😀"}') + frame("a.c", "r.2", ""));
    const whole = read([bytes]).messages;
    expect(whole.map((m) => m.payload)).toEqual(['{"t":"é€😀"}', ""]);
    for (let i = 1; i < bytes.length; i++) {
      expect(read([bytes.subarray(0, i), bytes.subarray(i)]).messages).toEqual(whole);
      expect(read([bytes.subarray(0, i), bytes.subarray(i, i + 7), bytes.subarray(i + 7)]).messages).toEqual(whole);
    }
    expect(read([...bytes].map((b) => Buffer.from([b]))).messages).toEqual(whole);
  });

  it("Given a payload starting with a byte order mark, When read, Then the mark is dropped as nats.js's decoder drops it", () => {
    const { messages } = read([frame("a", "r", "\ufeff{}")]);
    expect(messages[0]?.payload).toBe("{}");
  });

  it("Given an unreadable message line, When read, Then it fails", () => {
    expect(() => read(["HMSG a 1 r x y\r\n"])).toThrow(/unreadable/);
  });
});

describe("headerIn", () => {
  it("Given a header block, When a header is looked up, Then its value is found in place as headerValue reads it", () => {
    const values: (string | undefined)[] = [];
    const reader = new FrameReader(
      (f) => {
        const span: Span = { from: 0, to: 0 };
        for (const key of ["\r\nce-id:", "\r\nce-type:", "\r\nce-time:", "\r\nce-source:"]) {
          values.push(headerIn(f, Buffer.from(key), span) ? f.buf.toString("utf8", span.from, span.to) : undefined);
        }
      },
      () => {},
    );
    const block = "NATS/1.0\r\nce-id:  a1 \r\nce-type:\tspokes.X\r\nce-time:\r\n\r\n";
    const frame = (b: string) => `HMSG s 1 r ${b.length} ${b.length + 2}\r\n${b}{}\r\n`;
    // The next message's header must not be taken for a header this one lacks.
    reader.feed(Buffer.from(frame(block) + frame(block.replace("NATS/1.0", "NATS/1.0\r\nce-source: later"))));
    expect(values.slice(0, 4)).toEqual(["a1", "spokes.X", undefined, undefined]);
    expect(values.slice(4)).toEqual(["a1", "spokes.X", undefined, "later"]);
  });
});

describe("statusOf", () => {
  it("Given a request timeout with pending messages, Then the code, description and count are read", () => {
    expect(
      statusOf("NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 12\r\nNats-Pending-Bytes: 9\r\n\r\n"),
    ).toEqual({ code: 408, description: "Request Timeout", pending: "12" });
  });
  it("Given a plain header block, Then there is no status", () => {
    expect(statusOf("NATS/1.0\r\nce-id: a\r\n\r\n")).toEqual({ code: 0, description: "", pending: undefined });
  });
});
