import { describe, expect, it } from "vitest";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from "../../core/errors.ts";
import { TooLargeError } from "../shared/problem.ts";
import { coapErrorOf } from "./coap-errors.ts";
import { errorOfDeviceCode } from "./lwm2m/device-management.ts";

describe("hub errors as CoAP codes", () => {
  it.each([
    [new ValidationError("bad"), "4.00"],
    [new TooLargeError("big"), "4.13"],
    [new UnauthenticatedError("who"), "4.01"],
    [new ForbiddenError("no"), "4.03"],
    [new NotFoundError("none"), "4.04"],
    [new ConflictError("s", 1), "4.09"],
    [new RateLimitedError("slow down", 1000), "4.29"],
    [new UnavailableError("later"), "5.03"],
    [new Error("secret detail"), "5.00"],
  ])("%s → %s", (err, code) => {
    expect(coapErrorOf(err).code).toBe(code);
  });

  it("never passes on the message of an unexpected error", () => {
    expect(coapErrorOf(new Error("password=hunter2")).message).toBe("internal error");
  });
});

describe("device answers as hub errors", () => {
  it.each([
    ["4.04", NotFoundError],
    ["4.05", ForbiddenError],
    ["4.01", ForbiddenError],
    ["4.00", ValidationError],
    ["4.06", ValidationError],
    ["4.15", ValidationError],
    ["5.00", UnavailableError],
    ["5.03", UnavailableError],
  ])("%s", (code, type) => {
    const err = errorOfDeviceCode(code, "Read /3/0");
    expect(err).toBeInstanceOf(type);
    expect(err.message).toContain(code);
  });
});
