import { describe, expect, it } from "vitest";
import { subjects } from "../../core/subjects.ts";
import { event } from "../fixtures.ts";
import { handleDirectory } from "./handler.ts";

const lamp = "urn:dev:lamp.1";
const td = (title: string, extra: object = {}) => ({ id: lamp, title, ...extra });
const described = (seq: number, title: string, extra?: object) =>
  event(seq, subjects.thingTd(lamp), "spokes.ThingDescribed", td(title, extra));

describe("directory handler", () => {
  it("Given a TD, When handled, Then the Thing is upserted with title, types, source and version", () => {
    const changes = handleDirectory([
      described(4, "Lamp", { "@type": ["saref:LightSwitch", "Lamp"], description: "x" }),
    ]);
    expect(changes.remove).toEqual([]);
    expect(changes.upsert).toEqual([
      expect.objectContaining({
        thing: lamp,
        title: "Lamp",
        description: "x",
        types: ["saref:LightSwitch", "Lamp"],
        source: "test",
        version: 4,
      }),
    ]);
  });

  it("Given two TD versions in one batch, When handled, Then only the newer is kept", () => {
    const { upsert } = handleDirectory([described(1, "Old"), described(2, "New")]);
    expect(upsert.map((r) => [r.title, r.version])).toEqual([["New", 2]]);
  });

  it("Given a TD and then its removal, When handled, Then the Thing is removed at the removal's sequence", () => {
    const removed = event(6, subjects.thingRemoved(lamp), "spokes.ThingRemoved", { reason: "gone" });
    expect(handleDirectory([described(5, "Lamp"), removed])).toEqual({ upsert: [], remove: [{ thing: lamp, seq: 6 }] });
  });

  it("Given a removal and then a new TD, When handled, Then the Thing comes back", () => {
    const removed = event(6, subjects.thingRemoved(lamp), "spokes.ThingRemoved", {});
    const { upsert, remove } = handleDirectory([removed, described(7, "Again")]);
    expect([upsert.map((r) => r.version), remove]).toEqual([[7], []]);
  });

  it("Given a TD without @type, When handled, Then its types are empty", () => {
    expect(handleDirectory([described(1, "Plain")]).upsert[0]?.types).toEqual([]);
  });
});
