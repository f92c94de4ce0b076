import { describe, expect, it } from "vitest";
import { NotFoundError, RateLimitedError, ValidationError } from "../../core/errors.ts";
import { problemOf, retryAfterSeconds, TooLargeError } from "./problem.ts";

describe("the one mapping from errors to problems", () => {
  it.each<[string, unknown, number, string]>([
    ["a validation error", new ValidationError("bad"), 400, "VALIDATION"],
    ["a body too large", new TooLargeError("too big"), 413, "TOO_LARGE"],
    ["an unknown thing", new NotFoundError("none"), 404, "NOT_FOUND"],
    ["a rate limit", new RateLimitedError("slow down", 1500), 429, "RATE_LIMITED"],
  ])("Given %s, When mapped, Then it gets its status and code", (_what, err, status, code) => {
    expect(problemOf(err)).toMatchObject({ status, code });
  });

  it("Given an unexpected error, When mapped, Then its text is masked", () => {
    const p = problemOf(new Error("password=hunter2"));
    expect(p).toMatchObject({ status: 503, code: "UNAVAILABLE" });
    expect(p.message).not.toContain("hunter2");
  });

  it("Given a validation error with and without issues, When mapped, Then issues appear only when there are some", () => {
    expect(problemOf(new ValidationError("bad"))).not.toHaveProperty("issues");
    const issues = [{ path: "csr", message: "not a CSR" }];
    expect(problemOf(new ValidationError("bad", issues)).issues).toEqual(issues);
  });

  it("Given a rate limit, When asked when to retry, Then it is whole seconds and at least one", () => {
    expect(retryAfterSeconds(new RateLimitedError("slow down", 1500))).toBe(2);
    expect(retryAfterSeconds(new RateLimitedError("slow down", 10))).toBe(1);
    expect(retryAfterSeconds(new NotFoundError("none"))).toBeUndefined();
  });
});
