import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../core/errors.ts";
import { parseRegisterParams, parseUpdateParams, queryRecord } from "./registration-params.ts";

const q = (...parts: string[]) => queryRecord(parts);

describe("Register parameters", () => {
  it.each([
    [
      "LwM2M 1.0 in U mode",
      q("ep=dev-1", "lt=300", "lwm2m=1.0", "b=U"),
      { endpoint: "dev-1", lifetimeS: 300, version: "1.0", binding: "U", queueMode: false },
    ],
    ["LwM2M 1.0 in queue mode (b=UQ)", q("ep=dev-1", "b=UQ"), { binding: "UQ", queueMode: true }],
    [
      "LwM2M 1.1 in queue mode (Q)",
      q("ep=dev-1", "lwm2m=1.1", "b=U", "Q"),
      { version: "1.1", binding: "U", queueMode: true },
    ],
    [
      "defaults when only ep is given",
      q("ep=dev-1"),
      { lifetimeS: 86400, version: "1.0", binding: "U", queueMode: false },
    ],
    ["unknown parameters (ignored)", q("ep=dev-1", "apn=internet"), { endpoint: "dev-1" }],
  ])("reads %s", (_what, query, expected) => {
    expect(parseRegisterParams(query)).toMatchObject(expected);
  });

  it.each([
    ["no endpoint", q("lt=60")],
    ["an empty endpoint", q("ep=")],
    ["an endpoint with a slash", q("ep=a/b")],
    ["a lifetime of zero", q("ep=a", "lt=0")],
    ["a lifetime that is not a number", q("ep=a", "lt=soon")],
    ["an unknown version", q("ep=a", "lwm2m=2.0")],
    ["a binding that is not one", q("ep=a", "b=X")],
    ["a value on Q", q("ep=a", "Q=1")],
  ])("refuses %s", (_what, query) => {
    expect(() => parseRegisterParams(query)).toThrow(ValidationError);
  });

  it("refuses a repeated parameter", () => {
    expect(() => queryRecord(["ep=a", "ep=b"])).toThrow(ValidationError);
  });
});

describe("Update parameters", () => {
  it.each([
    ["nothing", q(), {}],
    ["a new lifetime", q("lt=120"), { lifetimeS: 120 }],
    ["a switch to queue mode", q("b=UQ"), { binding: "UQ", queueMode: true }],
    ["Q alone", q("Q"), { queueMode: true }],
  ])("reads %s", (_what, query, expected) => {
    expect(parseUpdateParams(query)).toEqual(expected);
  });
});

describe("any query", () => {
  it("Given any Uri-Query options, then Register and Update parameters parse or throw ValidationError and nothing else", () => {
    const part = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc
        .tuple(fc.constantFrom("ep", "lt", "lwm2m", "b", "Q", "sms"), fc.string({ maxLength: 20 }))
        .map(([k, v]) => `${k}=${v}`),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 8 }), (parts) => {
        for (const parse of [parseRegisterParams, parseUpdateParams]) {
          try {
            parse(queryRecord(parts));
          } catch (err) {
            expect(err).toBeInstanceOf(ValidationError);
          }
        }
      }),
    );
  });
});
