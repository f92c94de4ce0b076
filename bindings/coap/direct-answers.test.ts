import { describe, expect, it } from "vitest";
import { coapMessage } from "./direct-answers.ts";
import { decodeDatagram } from "./testing/coap-datagrams.ts";

describe("coapMessage", () => {
  it("Given a piggybacked answer, when encoded, then it is an ACK with the request's message id, token and code", () => {
    const m = coapMessage(2, "2.04", 0x1234, Buffer.from([1, 2, 3]));
    expect([...m]).toEqual([0x63, 0x44, 0x12, 0x34, 1, 2, 3]);
  });

  it("Given an error answer with text, when encoded, then the text follows the payload marker", () => {
    const m = decodeDatagram(coapMessage(0, "4.01", 7, Buffer.from([9]), "unauthenticated"));
    expect(m).toMatchObject({ type: 0, code: "4.01", messageId: 7, token: Buffer.from([9]) });
    expect(m?.payload.toString()).toBe("unauthenticated");
  });

  it("Given an empty ACK, when encoded, then it is four bytes with no token", () => {
    expect([...coapMessage(2, "0.00", 65535, Buffer.alloc(0))]).toEqual([0x60, 0x00, 0xff, 0xff]);
  });
});
