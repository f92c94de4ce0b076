import { describe, expect, it } from "vitest";
import { catalogue, EVENT_TYPES, type EventType, isEventType, storedFact } from "./messages.ts";

const KINDS = [
  "td",
  "removed",
  "event",
  "property",
  "action",
  "actionState",
  "presence",
  "deviceSettings",
  "provisioning",
  "user",
  "group",
];
const at = "2025-03-01T12:00:00Z";

function firstIssue(type: EventType, data: unknown) {
  const parsed = catalogue[type].data.safeParse(data);
  expect(parsed.success, `${type} accepted ${JSON.stringify(data)}`).toBe(false);
  return parsed.error?.issues[0];
}

describe("the event catalogue", () => {
  it("names every fact in the past tense under the spokes. prefix", () => {
    for (const type of EVENT_TYPES) {
      expect(type).toMatch(/^spokes\.(?:[A-Z][a-z]+)+$/);
      expect(type, "a word in the past tense").toMatch(/[a-z]ed(?:[A-Z]|$)/);
    }
  });

  it("puts each type on a subject kind the address scheme knows", () => {
    for (const type of EVENT_TYPES) expect(KINDS).toContain(catalogue[type].kind);
  });

  it("has a type for every subject kind", () => {
    expect(new Set(EVENT_TYPES.map((type) => catalogue[type].kind))).toEqual(new Set(KINDS));
  });

  it.each(EVENT_TYPES)("knows %s", (type) => {
    expect(isEventType(type)).toBe(true);
  });

  it.each([
    "",
    "ThingDescribed",
    "spokes.thingdescribed",
    "spokes.ThingUpdated",
    "toString",
    "constructor",
    "__proto__",
  ])("does not know %j", (type) => {
    expect(isEventType(type)).toBe(false);
  });
});

describe("payloads", () => {
  it.each<[EventType, unknown]>([
    ["spokes.EventEmitted", null],
    ["spokes.EventEmitted", [1, "two", { three: true }]],
    ["spokes.EventEmitted", JSON.parse('{"deep":[[{"__proto__":{"x":-0}}]],"e":1e-300}')],
    ["spokes.EventEmitted", Object.assign(Object.create(null), { made: "without a prototype" })],
    ["spokes.PropertyReported", 21.5],
    ["spokes.ActionRequested", { actionId: "a-1" }],
    ["spokes.ActionRequested", { actionId: "a-1", input: { to: 80 }, ttlMs: 60_000, requestedBy: "alice" }],
    ["spokes.ActionRequested", { actionId: "a-2", input: 40, op: "writeproperty" }],
    ["spokes.ActionRequested", { actionId: "a-3", ttlMs: 2_000, op: "readproperty" }],
    ["spokes.ActionQueued", { thing: "lamp", name: "fade", at: "2025-03-01T13:00:00+01:00" }],
    ["spokes.ActionCompleted", { thing: "lamp", name: "fade", output: null }],
    ["spokes.PresenceChanged", { state: "asleep", until: at, binding: "lwm2m", things: ["lamp"] }],
    ["spokes.DeviceSettingsChanged", {}],
    ["spokes.DeviceSettingsChanged", { actionDelivery: "all", actionTtlMs: 0, mergePropertyWrites: true }],
    ["spokes.ProvisioningDecided", {}],
    ["spokes.UserRemoved", {}],
    ["spokes.MemberAdded", { user: "alice", role: "admin" }],
  ])("%s accepts %j", (type, data) => {
    expect(catalogue[type].data.safeParse(data).error?.issues).toBeUndefined();
  });

  it.each<[string, EventType, unknown, string]>([
    ["an event value that is not JSON", "spokes.EventEmitted", Number.NaN, ""],
    ["a missing event value", "spokes.EventEmitted", undefined, ""],
    [
      "an infinite number inside a list",
      "spokes.EventEmitted",
      { readings: [1, Number.POSITIVE_INFINITY] },
      "readings.1",
    ],
    ["an undefined field", "spokes.PropertyReported", { a: { b: undefined } }, "a.b"],
    ["a date object", "spokes.EventEmitted", { at: new Date(0) }, "at"],
    [
      "a function in an action output",
      "spokes.ActionCompleted",
      { thing: "t", name: "n", output: [() => 1] },
      "output.0",
    ],
    ["a request without an action id", "spokes.ActionRequested", { ttlMs: 1000 }, "actionId"],
    ["an empty action id", "spokes.ActionRequested", { actionId: "" }, "actionId"],
    ["a negative ttlMs", "spokes.ActionRequested", { actionId: "a-1", ttlMs: -1 }, "ttlMs"],
    ["a zero ttlMs", "spokes.ActionRequested", { actionId: "a-1", ttlMs: 0 }, "ttlMs"],
    ["a fractional ttlMs", "spokes.ActionRequested", { actionId: "a-1", ttlMs: 1.5 }, "ttlMs"],
    ["an operation that is not a request", "spokes.ActionRequested", { actionId: "a-1", op: "observeproperty" }, "op"],
    ["a ttlMs over a year", "spokes.ActionRequested", { actionId: "a-1", ttlMs: 367 * 86_400_000 }, "ttlMs"],
    ["a time without an offset", "spokes.ActionQueued", { thing: "t", name: "n", at: "2025-03-01T12:00:00" }, "at"],
    ["a step without its Thing", "spokes.ActionExpired", { name: "fade" }, "thing"],
    ["a failure without an error", "spokes.ActionFailed", { thing: "t", name: "n" }, "error"],
    ["an unknown presence state", "spokes.PresenceChanged", { state: "online" }, "state"],
    ["a presence until that is no time", "spokes.PresenceChanged", { state: "asleep", until: "soon" }, "until"],
    ["an unknown delivery mode", "spokes.DeviceSettingsChanged", { actionDelivery: "fifo" }, "actionDelivery"],
    ["a negative time to live", "spokes.DeviceSettingsChanged", { actionTtlMs: -1 }, "actionTtlMs"],
    ["an oversized public key", "spokes.ProvisioningDecided", { publicKey: "k".repeat(8193) }, "publicKey"],
    ["a password change without a hash", "spokes.PasswordChanged", {}, "passwordHash"],
    ["an empty password hash", "spokes.PasswordChanged", { passwordHash: "" }, "passwordHash"],
    ['the role "owner"', "spokes.MemberAdded", { user: "alice", role: "owner" }, "role"],
    ["a member without a user", "spokes.MemberAdded", { role: "viewer" }, "user"],
    ["a group Thing that is not a string", "spokes.ThingAddedToGroup", { thing: 7 }, "thing"],
  ])("%s is refused at %j", (_, type, data, path) => {
    expect(firstIssue(type, data)?.path.join(".")).toBe(path);
  });

  it("names what is not JSON in the issue's message", () => {
    expect(firstIssue("spokes.EventEmitted", { a: undefined })?.message).toBe("undefined is not a JSON value");
    expect(firstIssue("spokes.EventEmitted", [Symbol("s")])?.message).toBe("a symbol is not a JSON value");
    expect(firstIssue("spokes.EventEmitted", Number.NaN)?.message).toBe("NaN is not a JSON number");
  });

  it("keeps a JSON value as it is: the checked value is the value given, not a copy", () => {
    const value = JSON.parse('{"a":[1,{"b":null}]}');
    expect(catalogue["spokes.EventEmitted"].data.parse(value)).toBe(value);
  });

  it("drops fields a provisioning decision does not define, so a plaintext secret never reaches the log", () => {
    const parsed = catalogue["spokes.ProvisioningDecided"].data.parse({ by: "admin", secret: "hunter2" });
    expect(parsed).toEqual({ by: "admin" });
  });
});

describe("storedFact", () => {
  const settings = {
    subject: "devices.gw~201.settings",
    type: "spokes.DeviceSettingsChanged",
    data: { actionTtlMs: 5 },
  };

  it("Given a stored event of the type, on its subject kind, with a payload that parses, Then it gives address and data", () => {
    expect(storedFact(settings, "spokes.DeviceSettingsChanged", "deviceSettings")).toEqual({
      address: { kind: "deviceSettings", device: "gw 1" },
      data: { actionTtlMs: 5 },
    });
  });

  it.each([
    ["another type", { ...settings, type: "spokes.PresenceChanged" }],
    ["a subject outside the scheme", { ...settings, subject: "weather.today" }],
    ["a subject of another kind", { ...settings, subject: "devices.gw1.presence" }],
    ["a payload that does not parse", { ...settings, data: { actionTtlMs: -1 } }],
  ])("Given %s, Then it is not that fact", (_, e) => {
    expect(storedFact(e, "spokes.DeviceSettingsChanged", "deviceSettings")).toBeUndefined();
  });
});
