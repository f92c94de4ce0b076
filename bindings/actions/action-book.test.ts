import { describe, expect, it } from "vitest";
import type { LoggedEvent } from "../../core/event-log.ts";
import { subjects } from "../../core/subjects.ts";
import { type ActionEntry, applyActionEvent, expiresAt, supersededWrites } from "./action-book.ts";

let seq = 0;
const event = (subject: string, type: string, data: unknown): LoggedEvent => ({
  stream: "ACTIONS",
  seq: ++seq,
  subject,
  id: String(seq),
  type,
  source: "test",
  time: "2026-11-22T10:00:00.000Z",
  receivedAt: "2026-11-22T10:00:00.000Z",
  data,
});
const requested = (id: string, name = "dim", ttlMs?: number) =>
  event(subjects.actionRequest("lamp", name), "spokes.ActionRequested", { actionId: id, ...(ttlMs ? { ttlMs } : {}) });
const step = (id: string, state: "queued" | "delivered" | "completed" | "expired") =>
  event(subjects.actionState(id, state), "spokes.Action", { thing: "lamp", name: "dim" });

function fold(events: LoggedEvent[]): Map<string, ActionEntry> {
  const book = new Map<string, ActionEntry>();
  for (const e of events) {
    const entry = applyActionEvent(book, e);
    if (entry) book.set(entry.actionId, entry);
  }
  return book;
}

describe("the action book", () => {
  it("Given a request, when folded, then the action waits as requested with its Thing, name and time", () => {
    expect(fold([requested("a")]).get("a")).toMatchObject({
      thing: "lamp",
      name: "dim",
      state: "requested",
      requestedAt: "2026-11-22T10:00:00.000Z",
    });
  });

  it("Given steps out of order, when folded, then the state only moves forward and the first final state wins", () => {
    const book = fold([requested("a"), step("a", "delivered"), step("a", "queued"), step("a", "completed")]);
    expect(book.get("a")?.state).toBe("completed");
    expect(fold([requested("b"), step("b", "expired"), step("b", "completed")]).get("b")?.state).toBe("expired");
  });

  it("Given a step for an action whose request is unknown, when folded, then nothing is recorded", () => {
    expect(fold([step("ghost", "queued")]).size).toBe(0);
  });

  it("Given a time to live of its own or a default, when asked, then the expiry is the request time plus it", () => {
    const [own, none] = [fold([requested("c", "dim", 1000)]).get("c"), fold([requested("d")]).get("d")];
    expect(expiresAt(own as ActionEntry, 60_000)).toBe("2026-11-22T10:00:01.000Z");
    expect(expiresAt(none as ActionEntry, 60_000)).toBe("2026-11-22T10:01:00.000Z");
    expect(expiresAt(none as ActionEntry, undefined)).toBeUndefined();
  });

  it("Given waiting writes of the same property, when merged, then all but the latest are superseded by it", () => {
    const book = fold([
      requested("w1", "writeproperty:level"),
      requested("x", "dim"),
      requested("w2", "writeproperty:level"),
      requested("m", "writeproperty:mode"),
    ]);
    const waiting = [...book.values()];
    expect(supersededWrites(waiting).map((s) => [s.entry.actionId, s.by])).toEqual([["w1", "w2"]]);
  });
});
