import { describe, expect, it } from "vitest";
import { subjects } from "../../core/subjects.ts";
import { event } from "../fixtures.ts";
import { handlePresence } from "./handler.ts";
import { isReachable } from "./queries.ts";

const changed = (seq: number, device: string, data: object, time?: string) =>
  event(seq, subjects.presence(device), "spokes.PresenceChanged", data, time);

describe("presence handler", () => {
  it("Given a connect then a disconnect of one device, When handled, Then only the disconnect is upserted", () => {
    const { upsert } = handlePresence([
      changed(1, "dev-1", { state: "connected", binding: "mqtt" }),
      changed(2, "dev-1", { state: "disconnected", binding: "mqtt" }),
    ]);
    expect(upsert).toEqual([
      {
        device: "dev-1",
        state: "disconnected",
        until: null,
        binding: "mqtt",
        things: null,
        since: expect.any(String),
        seq: 2,
      },
    ]);
  });

  it("Given changes of two devices, When handled, Then each keeps its own last state", () => {
    const { upsert } = handlePresence([
      changed(1, "a", { state: "connected" }),
      changed(2, "b", { state: "asleep", until: "2026-11-01T01:00:00.000Z", things: ["t1", "t2"] }),
    ]);
    expect(upsert.map((r) => [r.device, r.state, r.until, r.things])).toEqual([
      ["a", "connected", null, null],
      ["b", "asleep", "2026-11-01T01:00:00.000Z", ["t1", "t2"]],
    ]);
  });

  it("Given a later change with an earlier device time, When handled, Then stream order still decides", () => {
    const { upsert } = handlePresence([
      changed(1, "a", { state: "connected" }, "2026-11-01T10:00:00.000Z"),
      changed(2, "a", { state: "disconnected" }, "2026-11-01T09:00:00.000Z"),
    ]);
    expect(upsert.map((r) => [r.state, r.since])).toEqual([["disconnected", "2026-11-01T09:00:00.000Z"]]);
  });

  it("Given the same change twice, When handled, Then it is upserted once", () => {
    const e = changed(5, "a", { state: "connected" });
    expect(handlePresence([e, e]).upsert).toHaveLength(1);
  });
});

describe("reachability", () => {
  const now = new Date("2026-11-01T12:00:00.000Z");
  it.each([
    ["connected without a window", { state: "connected", until: null }, true],
    ["connected inside its window", { state: "connected", until: "2026-11-01T12:00:30.000Z" }, true],
    ["connected after its window ran out", { state: "connected", until: "2026-11-01T11:59:59.000Z" }, false],
    ["asleep", { state: "asleep", until: "2026-11-01T13:00:00.000Z" }, false],
    ["disconnected", { state: "disconnected", until: null }, false],
  ])("Given a device %s, Then reachable is %s", (_what, p, reachable) => {
    expect(isReachable(p, now)).toBe(reachable);
  });
});
