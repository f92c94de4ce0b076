import { describe, expect, it } from "vitest";
import { subjects } from "../../core/subjects.ts";
import { event } from "../fixtures.ts";
import { handleHistory } from "./handler.ts";

const lamp = "urn:dev:lamp.1";

describe("history handler", () => {
  it("Given an event and a property value, When handled, Then each becomes one row with decoded names", () => {
    const changes = handleHistory([
      event(1, subjects.event(lamp, "over heated"), "spokes.EventEmitted", { celsius: 81 }),
      event(2, subjects.property(lamp, "on"), "spokes.PropertyReported", true),
    ]);
    expect(changes.insert).toEqual([
      expect.objectContaining({ seq: 1, thing: lamp, kind: "event", name: "over heated", data: { celsius: 81 } }),
      expect.objectContaining({ seq: 2, thing: lamp, kind: "property", name: "on", data: true }),
    ]);
  });

  it("Given a value of JSON null, When handled, Then the row keeps it as null data", () => {
    const [row] = handleHistory([event(3, subjects.property(lamp, "level"), "spokes.PropertyReported", null)]).insert;
    expect(row?.data).toBeNull();
  });

  it("Given the same event delivered twice, When handled, Then both rows carry the same key (the insert ignores the repeat)", () => {
    const e = event(5, subjects.event(lamp, "click"), "spokes.EventEmitted", 1);
    const { insert } = handleHistory([e, e]);
    expect(new Set(insert.map((r) => r.seq))).toEqual(new Set([5]));
  });

  it("Given events out of time order, When handled, Then rows keep their own times and sequences", () => {
    const late = event(7, subjects.event(lamp, "t"), "spokes.EventEmitted", 1, "2026-11-01T00:00:01.000Z");
    const early = event(8, subjects.event(lamp, "t"), "spokes.EventEmitted", 2, "2026-11-01T00:00:00.000Z");
    const { insert } = handleHistory([late, early]);
    expect(insert.map((r) => [r.seq, r.time])).toEqual([
      [7, "2026-11-01T00:00:01.000Z"],
      [8, "2026-11-01T00:00:00.000Z"],
    ]);
  });
});
