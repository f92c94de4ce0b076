import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.ts";
import {
  type Address,
  parseSubject,
  patternsOverlap,
  STREAM_SUBJECTS,
  STREAMS,
  type StreamName,
  streamOf,
  streamOfAddress,
  streamsFor,
  subjectMatches,
  subjectOfTopic,
  subjects,
  topicOf,
} from "./subjects.ts";

const thing = "urn:dev:ops:lamp.1 kitchen/💡";
const name = "on/off.state";

/** Every builder, the address parseSubject must give back, and the stream that stores it. */
const addresses: [string, string, Address, StreamName][] = [
  ["thingTd", subjects.thingTd(thing), { kind: "td", thing }, "THINGS"],
  ["thingRemoved", subjects.thingRemoved(thing), { kind: "removed", thing }, "THINGS"],
  ["event", subjects.event(thing, name), { kind: "event", thing, name }, "EVENTS"],
  ["property", subjects.property(thing, name), { kind: "property", thing, name }, "EVENTS"],
  ["actionRequest", subjects.actionRequest(thing, name), { kind: "action", thing, name }, "ACTIONS"],
  [
    "actionState",
    subjects.actionState("act.42", "delivered"),
    { kind: "actionState", actionId: "act.42", state: "delivered" },
    "ACTIONS",
  ],
  ["presence", subjects.presence("gw 1"), { kind: "presence", device: "gw 1" }, "PRESENCE"],
  ["deviceSettings", subjects.deviceSettings("gw 1"), { kind: "deviceSettings", device: "gw 1" }, "PROVISIONING"],
  [
    "provisioning",
    subjects.provisioning("gw 1", "approved"),
    { kind: "provisioning", device: "gw 1", decision: "approved" },
    "PROVISIONING",
  ],
  ["user", subjects.user("alice@example.com"), { kind: "user", user: "alice@example.com" }, "ACCESS"],
  ["group", subjects.group("ops.team"), { kind: "group", group: "ops.team" }, "ACCESS"],
];

describe("subject builders", () => {
  it.each(addresses)("%s builds %s, which parseSubject maps back to the same ids", (_, subject, address) => {
    expect(parseSubject(subject)).toEqual(address);
  });

  it.each(addresses)("%s subjects go to one stream (%s)", (_, subject, __, stream) => {
    expect(streamOf(subject)).toBe(stream);
  });

  it.each(addresses)("%s: the stream of the parsed address is the one its subject matches", (_, subject) => {
    expect(streamOfAddress(parseSubject(subject))).toBe(streamOf(subject));
  });

  it("puts every id in exactly one token, whatever it holds", () => {
    expect(subjects.event("a.b.c", "x.y").split(".")).toHaveLength(4);
    expect(subjects.actionState("a>b*c", "queued")).toBe("actions.a~3Eb~2Ac.queued");
  });

  it("builds a pattern for everything about one Thing", () => {
    const all = subjects.thingAll(thing);
    for (const [, subject, address] of addresses) {
      const aboutThing = "thing" in address && address.thing === thing;
      expect(subjectMatches(all, subject)).toBe(aboutThing);
    }
  });

  it("passes bad ids on as a ValidationError", () => {
    expect(() => subjects.thingTd("")).toThrow(ValidationError);
    expect(() => subjects.event(thing, "\uD800")).toThrow(ValidationError);
  });
});

describe("parseSubject rejects", () => {
  it.each([
    ["an empty subject", ""],
    ["one token", "things"],
    ["two tokens", "things.lamp"],
    ["a wildcard tail", "things.>"],
    ["a wildcard Thing", "things.*.td"],
    ["an empty Thing token", "things..td"],
    ["an unknown Thing subject kind", "things.lamp.status"],
    ["a td with an extra token", "things.lamp.td.extra"],
    ["an event without a name", "things.lamp.event"],
    ["an event with an empty name", "things.lamp.event."],
    ["an event with two name tokens", "things.lamp.event.a.b"],
    ["a Thing id that is not canonical", "things.~41.td"],
    ["a Thing id that is not UTF-8", "things.~FF.td"],
    ["a Thing id with a raw space", "things.kitchen lamp.td"],
    ["an unknown action state", "actions.a1.requested"],
    ["an action state in capitals", "actions.a1.QUEUED"],
    ["an action state with an extra token", "actions.a1.queued.x"],
    ["presence with the wrong last token", "devices.gw1.online"],
    ["an unknown provisioning decision", "provisioning.gw1.maybe"],
    ["an unknown access collection", "access.things.lamp"],
    ["a user with an extra token", "access.users.alice.extra"],
    ["an unknown first token", "thing.lamp.td"],
    ["a system subject", "$JS.API.INFO"],
    ["an MQTT topic", "things/lamp/td"],
  ])("%s (%j)", (_, subject) => {
    expect(() => parseSubject(subject)).toThrow(ValidationError);
  });

  it("says which subject it refused", () => {
    expect(() => parseSubject("things.lamp.status")).toThrow('"things.lamp.status" is not a hub subject');
  });
});

describe("subjectMatches", () => {
  it.each([
    ["things.*.td", "things.lamp.td", true],
    ["things.*.td", "things.lamp.removed", false],
    ["things.*.td", "things.lamp.td.x", false],
    ["things.>", "things.lamp.td", true],
    ["things.>", "things.lamp.event.on", true],
    ["things.>", "things", false],
    [">", "actions.a1.queued", true],
    ["things.lamp.td", "things.lamp.td", true],
    ["things.lamp.td", "things.lamp", false],
  ])("%s matches %s: %s", (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toBe(expected);
  });
});

describe("streams", () => {
  it("leaves subjects outside the scheme to no stream", () => {
    expect(streamOf("weather.today")).toBeUndefined();
    expect(streamOf("things.lamp")).toBeUndefined();
  });

  it.each([
    ["things.>", ["THINGS", "EVENTS", "ACTIONS"]],
    ["things.*.td", ["THINGS"]],
    ["things.lamp.event.*", ["EVENTS"]],
    ["actions.*.queued", ["ACTIONS"]],
    ["access.>", ["ACCESS"]],
    ["devices.>", ["PRESENCE", "PROVISIONING"]],
    ["devices.*.presence", ["PRESENCE"]],
    ["provisioning.*.approved", ["PROVISIONING"]],
    ["*.*.presence", ["ACTIONS", "PRESENCE", "PROVISIONING", "ACCESS"]],
    [">", [...STREAMS]],
    ["weather.>", []],
  ])("streamsFor(%j) is %j", (pattern, streams) => {
    expect(streamsFor(pattern)).toEqual(streams);
  });

  it("has no subject that two streams would both capture", () => {
    for (const a of STREAMS) {
      for (const b of STREAMS) {
        if (a === b) continue;
        for (const p of STREAM_SUBJECTS[a]) {
          for (const q of STREAM_SUBJECTS[b]) expect(patternsOverlap(p, q), `${a} ${p} / ${b} ${q}`).toBe(false);
        }
      }
    }
  });
});

describe("patternsOverlap", () => {
  it.each([
    ["things.*.td", "things.>", true],
    ["things.*.td", "things.lamp.td", true],
    ["things.*.td", "things.*.removed", false],
    ["things.*.event.*", "things.*.property.*", false],
    ["a.*", "*.b", true],
    ["*", ">", true],
    [">", ">", true],
    ["a.b", "a.b.c", false],
    ["a.b.c", "a.b", false],
    ["a.>", "a", false],
    ["a", "a.>", false],
    ["a.>", "a.b.c.d", true],
    ["actions.*.*", "things.>", false],
    ["access.users.*", "access.groups.*", false],
  ])("%s and %s: %s", (a, b, expected) => {
    expect(patternsOverlap(a, b)).toBe(expected);
    expect(patternsOverlap(b, a)).toBe(expected);
  });
});

describe("MQTT topics", () => {
  it.each(addresses)("%s: %s round-trips through its topic", (_, subject) => {
    const topic = topicOf(subject);
    expect(topic).not.toContain(".");
    expect(subjectOfTopic(topic)).toBe(subject);
  });

  it("uses the same words with `/`", () => {
    expect(topicOf(subjects.event("lamp.1", "overheated"))).toBe("things/lamp~2E1/event/overheated");
    expect(subjectOfTopic("things/lamp/action/toggle")).toBe(subjects.actionRequest("lamp", "toggle"));
  });
});
