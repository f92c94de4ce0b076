import { describe, expect, it } from "vitest";
import { deliveryOf } from "./jetstream-event-log.ts";

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
