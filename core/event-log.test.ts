import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.ts";
import { type AppendRequest, checkAgain, checkAppend, DEFAULT_LIMITS, saneTime } from "./event-log.ts";
import { EVENT_TYPES, type EventType } from "./messages.ts";
import { type StreamName, subjects } from "./subjects.ts";

const thing = "urn:dev:ops:lamp.1 kitchen";
const td = { id: thing, title: "Kitchen lamp", properties: { on: { type: "boolean" } } };
const step = { thing, name: "fade", at: "2025-03-01T12:00:00Z" };

/** One valid append per catalogue type, and the stream it lands in. */
const valid: [EventType, string, unknown, StreamName][] = [
  ["spokes.ThingDescribed", subjects.thingTd(thing), td, "THINGS"],
  ["spokes.ThingRemoved", subjects.thingRemoved(thing), { reason: "replaced" }, "THINGS"],
  ["spokes.EventEmitted", subjects.event(thing, "overheated"), { celsius: 81.5 }, "EVENTS"],
  ["spokes.PropertyReported", subjects.property(thing, "on"), true, "EVENTS"],
  [
    "spokes.ActionRequested",
    subjects.actionRequest(thing, "fade"),
    { actionId: "a-1", input: 80, ttlMs: 60_000 },
    "ACTIONS",
  ],
  ["spokes.ActionQueued", subjects.actionState("a-1", "queued"), step, "ACTIONS"],
  ["spokes.ActionDelivered", subjects.actionState("a-1", "delivered"), { ...step, via: "mqtt" }, "ACTIONS"],
  ["spokes.ActionCompleted", subjects.actionState("a-1", "completed"), { ...step, output: { level: 80 } }, "ACTIONS"],
  ["spokes.ActionFailed", subjects.actionState("a-1", "failed"), { ...step, error: "lamp is off" }, "ACTIONS"],
  ["spokes.ActionExpired", subjects.actionState("a-1", "expired"), step, "ACTIONS"],
  ["spokes.ActionCancelled", subjects.actionState("a-1", "cancelled"), { ...step, by: "alice" }, "ACTIONS"],
  ["spokes.PresenceChanged", subjects.presence("gw-1"), { state: "connected", binding: "mqtt" }, "PRESENCE"],
  [
    "spokes.DeviceSettingsChanged",
    subjects.deviceSettings("gw-1"),
    { actionDelivery: "ordered", actionTtlMs: 600_000, by: "admin" },
    "PROVISIONING",
  ],
  ["spokes.ProvisioningDecided", subjects.provisioning("gw-1", "approved"), { by: "admin" }, "PROVISIONING"],
  ["spokes.UserAdded", subjects.user("alice"), { displayName: "Alice" }, "ACCESS"],
  ["spokes.PasswordChanged", subjects.user("alice"), { passwordHash: "$argon2id$v=19$m=65536,t=3,p=4$..." }, "ACCESS"],
  ["spokes.UserRemoved", subjects.user("alice"), {}, "ACCESS"],
  ["spokes.GroupCreated", subjects.group("ops"), { title: "Operations" }, "ACCESS"],
  ["spokes.GroupDeleted", subjects.group("ops"), {}, "ACCESS"],
  ["spokes.MemberAdded", subjects.group("ops"), { user: "alice", role: "operator" }, "ACCESS"],
  ["spokes.MemberRemoved", subjects.group("ops"), { user: "alice" }, "ACCESS"],
  ["spokes.ThingAddedToGroup", subjects.group("ops"), { thing }, "ACCESS"],
  ["spokes.ThingRemovedFromGroup", subjects.group("ops"), { thing }, "ACCESS"],
];

function refusal(req: AppendRequest, limits = DEFAULT_LIMITS): ValidationError {
  try {
    checkAppend(req, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error(`expected ${req.type} on ${req.subject} to be refused`);
}

describe("checkAppend accepts", () => {
  it("an example for every catalogue type (this table is complete)", () => {
    expect(valid.map(([type]) => type).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(valid)("%s on %s", (type, subject, data, stream) => {
    const checked = checkAppend({ subject, type, data });
    expect(checked).toMatchObject({ stream, subject, type });
    expect(JSON.parse(new TextDecoder().decode(checked.payload))).toEqual(data);
  });

  it("stores only the fields a payload schema defines", () => {
    const checked = checkAppend({
      subject: subjects.provisioning("gw-1", "issued"),
      type: "spokes.ProvisioningDecided",
      data: { credentialHash: "sha256:ab", credential: "plaintext-secret" },
    });
    expect(new TextDecoder().decode(checked.payload)).toBe('{"credentialHash":"sha256:ab"}');
  });

  it("a payload of exactly the limit", () => {
    const data = "x".repeat(98); // 100 bytes with the JSON quotes
    expect(
      checkAppend({ subject: subjects.event(thing, "e"), type: "spokes.EventEmitted", data }, { maxPayloadBytes: 100 }),
    ).toBeDefined();
  });
});

describe("checkAppend refuses", () => {
  it.each<[string, AppendRequest, string]>([
    [
      "an unknown type",
      { subject: subjects.event(thing, "e"), type: "spokes.Exploded", data: {} },
      'unknown event type "spokes.Exploded"',
    ],
    [
      "a type from outside the catalogue's namespace",
      { subject: subjects.event(thing, "e"), type: "constructor", data: {} },
      'unknown event type "constructor"',
    ],
    [
      "a TD on an event subject",
      { subject: subjects.event(thing, "e"), type: "spokes.ThingDescribed", data: td },
      `spokes.ThingDescribed does not belong on ${subjects.event(thing, "e")}`,
    ],
    [
      "an event on a property subject",
      { subject: subjects.property(thing, "on"), type: "spokes.EventEmitted", data: true },
      "does not belong on",
    ],
    [
      "an action step on the request subject",
      { subject: subjects.actionRequest(thing, "fade"), type: "spokes.ActionQueued", data: step },
      "does not belong on",
    ],
    [
      "a member change on a user subject",
      { subject: subjects.user("alice"), type: "spokes.MemberAdded", data: { user: "alice", role: "viewer" } },
      "does not belong on",
    ],
    [
      "a subject outside the address scheme",
      { subject: "weather.today", type: "spokes.EventEmitted", data: 1 },
      '"weather.today" is not a hub subject',
    ],
    [
      "a wildcard subject",
      { subject: "things.*.td", type: "spokes.ThingDescribed", data: td },
      '"*" is not an encoded id',
    ],
  ])("%s", (_, req, message) => {
    expect(refusal(req).message).toContain(message);
  });

  it("a TD whose id differs from the subject's Thing", () => {
    const error = refusal({ subject: subjects.thingTd("urn:other"), type: "spokes.ThingDescribed", data: td });
    expect(error.message).toBe("the TD's id differs from the Thing in the subject");
    expect(error.issues).toEqual([{ path: "id", message: "must equal the Thing id of the subject" }]);
  });

  it.each<[string, EventType, string, unknown, string]>([
    ["a TD without a title", "spokes.ThingDescribed", subjects.thingTd(thing), { id: thing }, "title"],
    [
      "a TD with a bad property type",
      "spokes.ThingDescribed",
      subjects.thingTd(thing),
      { ...td, properties: { on: { type: "float" } } },
      "properties.on.type",
    ],
    [
      "ActionRequested with a negative ttlMs",
      "spokes.ActionRequested",
      subjects.actionRequest(thing, "fade"),
      { actionId: "a-1", ttlMs: -1 },
      "ttlMs",
    ],
    [
      'MemberAdded with the role "owner"',
      "spokes.MemberAdded",
      subjects.group("ops"),
      { user: "alice", role: "owner" },
      "role",
    ],
    ["PasswordChanged without passwordHash", "spokes.PasswordChanged", subjects.user("alice"), {}, "passwordHash"],
    ["ActionFailed without an error", "spokes.ActionFailed", subjects.actionState("a-1", "failed"), step, "error"],
    ["an event value that is not JSON", "spokes.EventEmitted", subjects.event(thing, "e"), Number.NaN, "(root)"],
    ["a payload that is not an object", "spokes.UserAdded", subjects.user("alice"), "Alice", "(root)"],
  ])("%s, with the field's path in issues", (_, type, subject, data, path) => {
    const error = refusal({ subject, type, data });
    expect(error.message).toMatch(new RegExp(`^${type.replace(".", "\\.")} payload is invalid: `));
    expect(error.message).toContain(`${path}: `);
    expect(error.issues.map((i) => i.path)).toContain(path);
    for (const issue of error.issues) expect(issue.message).not.toBe("");
  });

  it("an oversized payload, naming its size and the limit", () => {
    const data = { blob: "x".repeat(DEFAULT_LIMITS.maxPayloadBytes) };
    const size = JSON.stringify(data).length;
    const error = refusal({ subject: subjects.event(thing, "e"), type: "spokes.EventEmitted", data });
    expect(error.message).toBe(`payload is ${size} bytes; the limit is 65536`);
  });

  it("a payload over a configured limit, counting UTF-8 bytes rather than characters", () => {
    const data = "é".repeat(50); // 50 characters, 100 bytes, 102 with the JSON quotes
    const error = refusal(
      { subject: subjects.event(thing, "e"), type: "spokes.EventEmitted", data },
      { maxPayloadBytes: 101 },
    );
    expect(error.message).toBe("payload is 102 bytes; the limit is 101");
  });
});

describe("checkAgain: the event log's check of a request its caller already checked", () => {
  const req = () => ({ subject: subjects.event("lamp-1", "reading"), type: "spokes.EventEmitted", data: { v: 1 } });

  it("Given the outcome of checkAppend for the same request, When checked again, Then that outcome is kept", () => {
    const r = req();
    const first = checkAppend(r);
    expect(checkAgain(r, first)).toBe(first);
  });

  it("Given no earlier outcome, When checked, Then the request is checked afresh", () => {
    expect(checkAgain(req(), undefined)).toEqual(checkAppend(req()));
    expect(() => checkAgain({ ...req(), data: Number.NaN }, undefined)).toThrow(ValidationError);
  });

  it("Given a checked request whose subject then changes, When checked again, Then it is checked afresh", () => {
    const r = req();
    const first = checkAppend(r);
    r.subject = subjects.property("lamp-1", "on");
    expect(() => checkAgain(r, first)).toThrow(ValidationError);
    expect(first.subject).toBe(subjects.event("lamp-1", "reading"));
  });

  it("Given a request checked under a larger limit, When checked again under a smaller one, Then it is refused as too large", () => {
    const r = req();
    const first = checkAppend(r, { maxPayloadBytes: 1000 });
    expect(() => checkAgain(r, first, { maxPayloadBytes: 4 })).toThrow(/limit is 4/);
  });
});

describe("saneTime", () => {
  const now = new Date("2025-06-01T12:00:00Z");
  const minutes = (n: number) => new Date(now.getTime() + n * 60_000);
  const days = (n: number) => new Date(now.getTime() + n * 86_400_000);

  it.each<[string, string | Date | undefined]>([
    ["no device time", undefined],
    ["more than a year in the past", days(-367)],
    ["more than a year in the past, as text", days(-400).toISOString()],
    ["more than five minutes in the future", minutes(6)],
    ["far in the future", "2999-01-01T00:00:00Z"],
    ["text that is no time", "yesterday"],
    ["an empty string", ""],
    ["an invalid Date", new Date(Number.NaN)],
  ])("uses the hub's time for %s", (_, deviceTime) => {
    expect(saneTime(deviceTime, now)).toBe(now);
  });

  it.each<[string, string | Date, Date]>([
    ["the same instant", now, now],
    ["a second ago", new Date(now.getTime() - 1000), new Date(now.getTime() - 1000)],
    ["a month ago, as text with an offset", "2025-05-01T14:00:00+02:00", new Date("2025-05-01T12:00:00Z")],
    ["a year ago", days(-365), days(-365)],
    ["four minutes ahead (a fast device clock)", minutes(4), minutes(4)],
    ["exactly five minutes ahead", minutes(5), minutes(5)],
  ])("keeps a sane device time: %s", (_, deviceTime, expected) => {
    expect(saneTime(deviceTime, now)).toEqual(expected);
  });
});
