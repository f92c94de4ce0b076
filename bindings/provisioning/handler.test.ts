/**
 * The shared provisioning handler's own rules (outcomes, limits, parsing, the order of checks), with a flow that
 * answers from a table; the flow itself is tested against a real nats-server in core and end to end.
 */
import { describe, expect, it } from "vitest";
import { RateLimitedError, ValidationError } from "../../core/errors.ts";
import { createLogger } from "../../core/log.ts";
import type { ProvisioningAnswer } from "../../core/provisioning-flow.ts";
import { TooLargeError } from "../shared/problem.ts";
import { createProvisioningHandler } from "./handler.ts";

const logger = createLogger("error");
const bytes = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));

function handlerAnswering(answer: ProvisioningAnswer, o: { ratePerMinute?: number; maxBodyBytes?: number } = {}) {
  const received: unknown[] = [];
  const flow = {
    request: async (body: unknown) => {
      received.push(body);
      return answer;
    },
    poll: async (input: unknown) => {
      received.push(input);
      return answer;
    },
  };
  return { handler: createProvisioningHandler({ flow, logger, ...o }), received };
}

describe("the shared provisioning handler", () => {
  it.each([
    [{ device: "d", status: "active", token: "t" }, "approved"],
    [{ device: "d", status: "pending" }, "pending"],
    [{ device: "d", status: "rejected", reason: "no" }, "status"],
  ] as const)("Given the flow answers %j to a request, Then the outcome is %s", async (answer, outcome) => {
    const { handler } = handlerAnswering(answer);
    expect(await handler.submit("a", () => bytes({ device: "d" }))).toEqual({ outcome, answer });
  });

  it.each([
    [{ device: "d", status: "active", token: "t" }, "collected"],
    [{ device: "d", status: "pending" }, "status"],
  ] as const)("Given the flow answers %j to a poll, Then the outcome is %s", async (answer, outcome) => {
    const { handler, received } = handlerAnswering(answer);
    expect(await handler.poll("a", "d", "n".repeat(16))).toEqual({ outcome, answer });
    expect(received).toEqual([{ device: "d", nonce: "n".repeat(16) }]);
  });

  it.each([
    ["an empty body", "", ValidationError],
    ["text that is not JSON", "{nope", ValidationError],
    ["a body over the limit", "x".repeat(65), TooLargeError],
  ])("When a device sends %s, Then the flow never sees it", async (_what, body, type) => {
    const { handler, received } = handlerAnswering({ device: "d", status: "pending" }, { maxBodyBytes: 64 });
    await expect(handler.submit("a", () => bytes(body))).rejects.toBeInstanceOf(type);
    expect(received).toEqual([]);
  });

  it("Given an address past its rate, When it sends again, Then it is refused before its body is read, and other addresses are not", async () => {
    const { handler } = handlerAnswering({ device: "d", status: "pending" }, { ratePerMinute: 2 });
    await handler.submit("a", () => bytes({}));
    await handler.poll("a", "d", "n".repeat(16));
    let read = false;
    const refused = handler.submit("a", () => {
      read = true;
      return bytes({});
    });
    await expect(refused).rejects.toBeInstanceOf(RateLimitedError);
    expect(read).toBe(false);
    await expect(handler.submit("b", () => bytes({}))).resolves.toMatchObject({ outcome: "pending" });
  });
});
