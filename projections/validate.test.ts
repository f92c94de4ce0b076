import { describe, expect, it } from "vitest";
import { subjects } from "../core/subjects.ts";
import { logged } from "./fixtures.ts";
import { freshEvents, sortOut } from "./process-batch.ts";
import { checkEvent } from "./validate.ts";

describe("the runner's gate", () => {
  it.each([
    ["an unknown type", logged(1, subjects.event("a", "b"), "spokes.Legacy", 1), /unknown event type/],
    ["a type on the wrong subject", logged(1, subjects.event("a", "b"), "spokes.UserAdded", {}), /does not belong/],
    ["a subject that is not the hub's", logged(1, "things.a.b.c.d", "spokes.EventEmitted", 1), /not a hub subject/],
    ["a TD without a title", logged(1, subjects.thingTd("a"), "spokes.ThingDescribed", { id: "a" }), /title/],
    [
      "a TD for another Thing",
      logged(1, subjects.thingTd("a"), "spokes.ThingDescribed", { id: "b", title: "B" }),
      /differs/,
    ],
    [
      "a member with a bad role",
      logged(1, subjects.group("g"), "spokes.MemberAdded", { user: "u", role: "x" }),
      /role/,
    ],
  ])("sets aside %s with a reason", (_, e, reason) => {
    const checked = checkEvent(e);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.reason).toMatch(reason);
  });

  it("passes a valid event with its address", () => {
    const checked = checkEvent(logged(1, subjects.property("urn:x y", "on"), "spokes.PropertyReported", true));
    expect(checked).toMatchObject({ ok: true, event: { address: { kind: "property", thing: "urn:x y", name: "on" } } });
  });

  it("Given a batch with repeats, out of order, and some at or below the checkpoint, Then only the fresh ones remain, once, in order", () => {
    const e = (seq: number) => logged(seq, subjects.event("a", "b"), "spokes.EventEmitted", seq);
    expect(freshEvents([e(7), e(3), e(5), e(7), e(4), e(6)], 4).map((x) => x.seq)).toEqual([5, 6, 7]);
  });

  it("sorts a batch into valid events and poison rows", () => {
    const { valid, poison } = sortOut([
      logged(1, subjects.event("a", "b"), "spokes.EventEmitted", 1),
      logged(2, subjects.event("a", "b"), "spokes.Gone", 1),
    ]);
    expect(valid.map((v) => v.seq)).toEqual([1]);
    expect(poison).toEqual([expect.objectContaining({ seq: 2, type: "spokes.Gone" })]);
  });
});
