import { describe, expect, it } from "vitest";
import { subjects } from "../../core/subjects.ts";
import { type Claim, checkClaim, nextClaim } from "./ownership.ts";

const td = (seq: number, source: string) => ({ subject: subjects.thingTd("lamp"), source, seq });
const removed = (seq: number) => ({ subject: subjects.thingRemoved("lamp"), source: "bff/admin", seq });
const fold = (events: { subject: string; source: string; seq: number }[]) =>
  events.reduce<Claim | undefined>((c, e) => nextClaim(c, e), undefined);

describe("Thing ownership", () => {
  it("Given no TD, when a device asks, then the Thing is unclaimed", () => {
    expect(checkClaim(undefined, "d1")).toBe("unclaimed");
  });

  it("Given a device's first TD, when devices ask, then it owns the Thing and later TDs keep it", () => {
    const claim = fold([td(1, "devices/d1"), td(2, "devices/d2")]);
    expect(claim).toEqual({ owner: "d1", tdSeq: 2, removed: false });
    expect(checkClaim(claim, "d1")).toBe("owner");
    expect(checkClaim(claim, "d2")).toBe("other");
  });

  it("Given a TD from an operator, when a device asks, then no device owns it and none may claim it", () => {
    expect(checkClaim(fold([td(1, "cli")]), "d1")).toBe("other");
  });

  it("Given a removed Thing, when a device asks, then it may be claimed again", () => {
    const claim = fold([td(1, "devices/d1"), removed(2)]);
    expect(checkClaim(claim, "d2")).toBe("unclaimed");
    expect(fold([td(1, "devices/d1"), removed(2), td(3, "devices/d2")])?.owner).toBe("d2");
  });
});
