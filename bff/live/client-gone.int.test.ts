import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { subjects } from "../../core/subjects.ts";
import { waitFor } from "../../projections/test-support.ts";
import { wsClient } from "../test-client.ts";
import { useTestHub } from "../use-test-hub.ts";

const hub = useTestHub();

const EVENTS = `subscription($thing: ID!) { thingEvents(thing: $thing) { seq } }`;
const listeners = () => hub().bff.services.feeds.of("EVENTS").listeners;
const listening = (n: number) => waitFor(() => listeners() === n, 10_000, `${n} EVENTS listeners`);
const reading = (i: number) => ({
  subject: subjects.event("lamp-1", "reading"),
  type: "spokes.EventEmitted",
  data: { i },
});

describe("subscriptions whose client goes away", () => {
  it("Given a subscription that received an event and waits for the next, When the client completes it, Then the server ends it and leaves the feed", async () => {
    const client = wsClient(hub().url, hub().tokens.admin);
    try {
      const results = client.iterate<{ thingEvents: { seq: number } }>({
        query: EVENTS,
        variables: { thing: "lamp-1" },
      });
      const first = results.next();
      await listening(1);
      const sent = await hub().log.append(reading(1));
      expect((await first).value?.data?.thingEvents.seq).toBe(sent.seq);
      // The server's reader is now waiting on its queue for the next event; return() sends graphql-ws Complete.
      await results.return?.();
      await listening(0);
      await hub().log.append(reading(2));
      expect(listeners()).toBe(0);
    } finally {
      await client.dispose();
    }
  });

  it("Given a subscription waiting for its next event, When the client's socket drops without a word, Then the server ends it and leaves the feed", async () => {
    const socket = new WebSocket(hub().url.replace(/^http/, "ws"), "graphql-transport-ws");
    const messages: { type: string; payload?: { data?: { thingEvents?: { seq: number } } } }[] = [];
    socket.on("message", (m) => messages.push(JSON.parse(String(m))));
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    const received = (type: string, n = 1) =>
      waitFor(() => messages.filter((m) => m.type === type).length >= n, 10_000, `${n} ${type}`);
    socket.send(
      JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${hub().tokens.admin}` } }),
    );
    await received("connection_ack");
    socket.send(
      JSON.stringify({ id: "1", type: "subscribe", payload: { query: EVENTS, variables: { thing: "lamp-1" } } }),
    );
    await listening(1);
    const sent = await hub().log.append(reading(3));
    await received("next");
    expect(messages.find((m) => m.type === "next")?.payload?.data?.thingEvents?.seq).toBe(sent.seq);
    // No Complete, no close frame: the TCP connection is simply gone.
    socket.terminate();
    await listening(0);
  });
});
