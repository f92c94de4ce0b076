import { describe, expect, it } from "vitest";
import { dayOf, dayOfPartition, partitionOf } from "./partitions.ts";

describe("history partitions", () => {
  it("puts a time in its UTC day, whatever offset it was written with", () => {
    expect(dayOf("2026-11-21T23:59:59.999Z")).toBe("2026-11-21");
    expect(dayOf("2026-11-22T01:00:00+02:00")).toBe("2026-11-21");
  });

  it("names a day's partition and bounds it to that day", () => {
    expect(partitionOf("2026-12-31")).toEqual({
      name: "history_values_p20261231",
      from: "2026-12-31T00:00:00.000Z",
      to: "2027-01-01T00:00:00.000Z",
    });
  });

  it("reads the day back from a partition's name and ignores other tables", () => {
    expect(dayOfPartition("history_values_p20261231")).toBe("2026-12-31");
    expect(dayOfPartition("history_values")).toBeUndefined();
  });
});
