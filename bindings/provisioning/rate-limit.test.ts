import { describe, expect, it } from "vitest";
import { RateLimitedError } from "../../core/errors.ts";
import { createRateLimiter } from "./rate-limit.ts";

describe("rate limiter", () => {
  it("Given a burst of 3, When a fourth request comes at once, Then it is refused with the wait until the next", () => {
    const limiter = createRateLimiter(60, 3);
    for (let i = 0; i < 3; i++) limiter.take("a", 0);
    try {
      limiter.take("a", 0);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RateLimitedError);
      expect((err as RateLimitedError).retryAfterMs).toBe(1000);
    }
  });

  it("Given an exhausted bucket, When time passes, Then it refills at the rate", () => {
    const limiter = createRateLimiter(60, 1);
    limiter.take("a", 0);
    expect(() => limiter.take("a", 500)).toThrow(RateLimitedError);
    expect(() => limiter.take("a", 1500)).not.toThrow();
  });

  it("Given one address exhausted, When another asks, Then it is served", () => {
    const limiter = createRateLimiter(60, 1);
    limiter.take("a", 0);
    expect(() => limiter.take("b", 0)).not.toThrow();
  });
});
