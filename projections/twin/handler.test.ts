import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { subjects } from "../../core/subjects.ts";
import { event } from "../fixtures.ts";
import { handleTwin, isNewer, type TwinRow } from "./handler.ts";

const t = "sensor-1";
const temp = (seq: number, value: number, time?: string) =>
  event(seq, subjects.property(t, "temperature"), "spokes.PropertyReported", value, time);

describe("twin handler", () => {
  it("Given several values of one property, When handled, Then only the latest is upserted", () => {
    expect(handleTwin([temp(1, 20), temp(2, 21), temp(3, 22)]).upsert).toEqual([
      expect.objectContaining({ thing: t, kind: "property", name: "temperature", value: 22, seq: 3 }),
    ]);
  });

  it("Given a value that arrives late with an older device time, When handled, Then the newer one stays", () => {
    const newer = temp(1, 25, "2026-11-01T10:00:00.000Z");
    const late = temp(2, 19, "2026-11-01T09:00:00.000Z");
    expect(handleTwin([newer, late]).upsert.map((r) => r.value)).toEqual([25]);
  });

  it("Given an event and a property of the same name, When handled, Then both are kept apart", () => {
    const e = event(5, subjects.event(t, "temperature"), "spokes.EventEmitted", { alarm: true });
    expect(handleTwin([temp(4, 1), e]).upsert.map((r) => r.kind)).toEqual(["property", "event"]);
  });

  it("Given the same event twice, When handled, Then it is upserted once", () => {
    const e = temp(9, 30);
    expect(handleTwin([e, e]).upsert).toHaveLength(1);
  });

  it("orders by time, then by sequence", () => {
    const at = "2026-11-01T00:00:00.000Z";
    expect(isNewer({ time: at, seq: 2 }, { time: at, seq: 1 })).toBe(true);
    expect(isNewer({ time: "2026-11-01T00:00:00Z", seq: 1 }, { time: at, seq: 2 })).toBe(false);
    expect(isNewer({ time: "2026-11-02T00:00:00Z", seq: 1 }, { time: at, seq: 2 })).toBe(true);
  });
});

describe("twin handler, for any deliveries", () => {
  it("ends in the same values however the events are split into batches", () => {
    const arbEvent = fc.record({
      thing: fc.constantFrom("a", "b"),
      name: fc.constantFrom("p", "q"),
      minute: fc.nat(5),
    });
    fc.assert(
      fc.property(fc.array(arbEvent, { maxLength: 30 }), fc.array(fc.nat(30), { maxLength: 5 }), (specs, cuts) => {
        const events = specs.map((s, i) =>
          event(
            i + 1,
            subjects.property(s.thing, s.name),
            "spokes.PropertyReported",
            i,
            `2026-11-01T00:0${s.minute}:00.000Z`,
          ),
        );
        const fold = (rows: Map<string, TwinRow>, batch: typeof events) => {
          for (const r of handleTwin(batch).upsert) {
            const key = `${r.thing}/${r.name}`;
            const seen = rows.get(key);
            if (!seen || isNewer(r, seen)) rows.set(key, r);
          }
          return rows;
        };
        const whole = fold(new Map(), events);
        const bounds = [0, ...[...new Set(cuts)].sort((x, y) => x - y), events.length];
        const split = new Map<string, TwinRow>();
        for (let i = 1; i < bounds.length; i++) fold(split, events.slice(bounds[i - 1], bounds[i]));
        expect(Object.fromEntries(split)).toEqual(Object.fromEntries(whole));
      }),
    );
  });
});
