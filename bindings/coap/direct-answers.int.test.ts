/** Direct answers on a real node-coap server and UDP: piggybacked, separate after an empty ACK, retransmissions. */
import type { Socket } from "node:dgram";
import { createServer, type Server } from "coap";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answerFactsDirectly } from "./direct-answers.ts";
import { DatagramClient, type Decoded, decodeDatagram, encodeDatagram, option } from "./testing/coap-datagrams.ts";

let server: Server;
let port: number;
let installed: boolean;
const taken: string[] = [];
/** Values posted to `slow` wait until released. */
const slow: (() => void)[] = [];

beforeAll(async () => {
  server = createServer({ type: "udp4" }, (_req, res) => {
    res.code = "4.04";
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server._sock as Socket).address().port;
  installed = answerFactsDirectly(
    server,
    (method, options, payload) => {
      const path = options.filter((o) => o.name === "Uri-Path").map((o) => String(o.value));
      if (method !== "POST" || path[0] === "other") return undefined;
      taken.push(String(payload));
      if (path[0] === "slow") return new Promise<void>((resolve) => slow.push(resolve));
      if (path[0] === "bad") return Promise.reject(new Error("boom"));
      return Promise.resolve();
    },
    () => ({ code: "5.00", message: "internal error" }),
  );
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

/** Waits (up to 10 s) for an answer matching `match`. */
async function answer(client: DatagramClient, match: (d: Decoded) => boolean): Promise<Decoded> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = client.answers.map((m) => decodeDatagram(m)).find((d) => d !== undefined && match(d));
    if (found) return found;
    if (Date.now() > deadline) throw new Error("no such answer");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const post = (path: string, messageId: number, payload: string) =>
  encodeDatagram({
    type: 0,
    code: "0.02",
    messageId,
    token: Uint8Array.of(5, messageId & 0xff),
    options: [[option.uriPath, path]],
    payload,
  });

describe("answerFactsDirectly", () => {
  it("Given the installed node-coap, then its internals are there and direct answers are on; without them nothing is changed", () => {
    expect(installed).toBe(true);
    const bare = { _handle: "not a function" } as unknown as Parameters<typeof answerFactsDirectly>[0];
    expect(
      answerFactsDirectly(
        bare,
        () => undefined,
        () => ({ code: "5.00", message: "" }),
      ),
    ).toBe(false);
    expect((bare as unknown as { _handle: unknown })._handle).toBe("not a function");
  });

  it("Given a value stored at once, then the answer piggybacks on the ACK, and a retransmission gets it again without storing twice", async () => {
    const client = await DatagramClient.open(port);
    try {
      const before = taken.length;
      await client.send(post("fast", 301, "a"));
      const first = await answer(client, (d) => d.messageId === 301);
      expect(first).toMatchObject({ type: 2, code: "2.04", token: Buffer.from([5, 301 & 0xff]) });
      await client.send(post("fast", 301, "a"));
      await answer(client, (d) => d.messageId === 301 && client.answers.length >= 2);
      expect(taken.length - before).toBe(1);
    } finally {
      client.close();
    }
  });

  it("Given a value stored slowly, then an empty ACK comes first and the answer follows as a confirmable message once stored", async () => {
    const client = await DatagramClient.open(port);
    try {
      await client.send(post("slow", 302, "b"));
      const ack = await answer(client, (d) => d.messageId === 302);
      expect(ack).toMatchObject({ type: 2, code: "0.00" });
      // A retransmission while the value is being stored gets the empty ACK again and is not taken again.
      await client.send(post("slow", 302, "b"));
      await answer(client, () => client.answers.filter((m) => decodeDatagram(m)?.messageId === 302).length >= 2);
      expect(taken.filter((t) => t === "b")).toHaveLength(1);
      for (const release of slow.splice(0)) release();
      const late = await answer(client, (d) => d.type === 0 && d.code === "2.04");
      expect(late.token).toEqual(Buffer.from([5, 302 & 0xff]));
      await client.send(encodeDatagram({ type: 2, code: "0.00", messageId: late.messageId, token: new Uint8Array() }));
    } finally {
      client.close();
    }
  });

  it("Given a failing store or a request the taker declines, then the first is answered with the mapped error and the second by node-coap", async () => {
    const client = await DatagramClient.open(port);
    try {
      await client.send(post("bad", 303, "c"));
      expect(await answer(client, (d) => d.messageId === 303)).toMatchObject({ type: 2, code: "5.00" });
      await client.send(post("other", 304, "d"));
      expect(await answer(client, (d) => d.messageId === 304)).toMatchObject({ code: "4.04" });
    } finally {
      client.close();
    }
  });
});
