import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Freshness, NEVER_ASK, shouldAsk } from "./freshness.ts";

const NOW = Date.parse("2026-11-22T03:00:00.000Z");
const ago = (ms: number) => ({ time: new Date(NOW - ms).toISOString() });
const property = { kind: "property" as const };
const policy: Freshness = { maxAgeMs: 60_000, readWaitMs: 2_000 };

describe("whether a Read asks the device first", () => {
  it.each<[string, Parameters<typeof shouldAsk>[1], boolean]>([
    ["a value younger than the maximum age", ago(59_999), false],
    ["a value exactly as old as the maximum age", ago(60_000), false],
    ["a value older than the maximum age", ago(60_001), true],
    ["no value at all", undefined, true],
    ["a value with a time in the future", ago(-30_000), false],
    ["a value whose time cannot be read", { time: "yesterday" }, true],
  ])("Given %s, When a property is read, Then asking is %s", (_, stored, ask) => {
    expect(shouldAsk(property, stored, NOW, policy)).toBe(ask);
  });

  it.each(["event", "action"] as const)("Given a stale %s, Then the device is never asked", (kind) => {
    expect(shouldAsk({ kind }, ago(3_600_000), NOW, policy)).toBe(false);
    expect(shouldAsk({ kind }, undefined, NOW, policy)).toBe(false);
  });

  it("Given asking switched off (maximum age or wait 0), Then no property is ever asked for", () => {
    fc.assert(
      fc.property(fc.option(fc.nat(10 ** 10), { nil: undefined }), fc.nat(10 ** 6), (age, other) => {
        const stored = age === undefined ? undefined : ago(age);
        expect(shouldAsk(property, stored, NOW, NEVER_ASK)).toBe(false);
        expect(shouldAsk(property, stored, NOW, { maxAgeMs: 0, readWaitMs: other })).toBe(false);
        expect(shouldAsk(property, stored, NOW, { maxAgeMs: other, readWaitMs: 0 })).toBe(false);
      }),
    );
  });

  it("Given any maximum age, Then a property is asked for exactly when its value is older than it", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 ** 9 }), fc.nat(2 * 10 ** 9), (maxAgeMs, age) => {
        expect(shouldAsk(property, ago(age), NOW, { maxAgeMs, readWaitMs: 1 })).toBe(age > maxAgeMs);
      }),
    );
  });
});
