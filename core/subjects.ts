/**
 * The hub's address scheme: stream names, subjects and MQTT topics. No other code builds a subject by hand.
 * Outside ids pass through `encodeToken`, so every variable part is exactly one token.
 */
import { ValidationError } from "./errors.ts";
import { decodeToken, encodeToken } from "./ids.ts";

export const STREAMS = ["THINGS", "EVENTS", "ACTIONS", "PRESENCE", "PROVISIONING", "ACCESS"] as const;
export type StreamName = (typeof STREAMS)[number];

/** Subjects each stream captures. */
export const STREAM_SUBJECTS: Record<StreamName, string[]> = {
  THINGS: ["things.*.td", "things.*.removed"],
  EVENTS: ["things.*.event.*", "things.*.property.*"],
  ACTIONS: ["things.*.action.*", "actions.*.*"],
  PRESENCE: ["devices.*.presence"],
  PROVISIONING: ["provisioning.*.*", "devices.*.settings"],
  ACCESS: ["access.users.*", "access.groups.*"],
};

export const ACTION_STATES = ["queued", "delivered", "completed", "failed", "expired", "cancelled"] as const;
export type ActionState = (typeof ACTION_STATES)[number];

export const PROVISIONING_DECISIONS = [
  "preapproved",
  "requested",
  "approved",
  "rejected",
  "issued",
  "disabled",
  "enabled",
  "revoked",
  /** A request refused without changing the device's status (wrong out-of-band secret, lock-out). */
  "refused",
] as const;
export type ProvisioningDecision = (typeof PROVISIONING_DECISIONS)[number];

const t = encodeToken;

export const subjects = {
  thingTd: (thing: string) => `things.${t(thing)}.td`,
  thingRemoved: (thing: string) => `things.${t(thing)}.removed`,
  event: (thing: string, name: string) => `things.${t(thing)}.event.${t(name)}`,
  property: (thing: string, name: string) => `things.${t(thing)}.property.${t(name)}`,
  actionRequest: (thing: string, name: string) => `things.${t(thing)}.action.${t(name)}`,
  actionState: (actionId: string, state: ActionState) => `actions.${t(actionId)}.${state}`,
  presence: (device: string) => `devices.${t(device)}.presence`,
  /** Kept apart from `provisioning.{device}.*`, whose last sequence guards the provisioning decisions. */
  deviceSettings: (device: string) => `devices.${t(device)}.settings`,
  provisioning: (device: string, decision: ProvisioningDecision) => `provisioning.${t(device)}.${decision}`,
  user: (user: string) => `access.users.${t(user)}`,
  group: (group: string) => `access.groups.${t(group)}`,
  /** Every subject of one Thing in the THINGS, EVENTS and ACTIONS streams. */
  thingAll: (thing: string) => `things.${t(thing)}.>`,
} as const;

/** What a concrete subject addresses, with ids decoded. */
export type Address =
  | { kind: "td" | "removed"; thing: string }
  | { kind: "event" | "property" | "action"; thing: string; name: string }
  | { kind: "actionState"; actionId: string; state: ActionState }
  | { kind: "presence"; device: string }
  | { kind: "deviceSettings"; device: string }
  | { kind: "provisioning"; device: string; decision: ProvisioningDecision }
  | { kind: "user"; user: string }
  | { kind: "group"; group: string };

function bad(subject: string): never {
  throw new ValidationError(`"${subject.slice(0, 120)}" is not a hub subject`);
}

/** Parses a concrete subject (no wildcards) into its address. Throws ValidationError otherwise. */
export function parseSubject(subject: string): Address {
  const p = subject.split(".");
  const [a, b, c, d] = p;
  if (a === undefined || b === undefined || c === undefined) bad(subject);
  if (a === "things") {
    const thing = decodeToken(b);
    if (p.length === 3 && (c === "td" || c === "removed")) return { kind: c, thing };
    if (p.length === 4 && d !== undefined && (c === "event" || c === "property" || c === "action")) {
      return { kind: c, thing, name: decodeToken(d) };
    }
  } else if (a === "actions" && p.length === 3 && (ACTION_STATES as readonly string[]).includes(c)) {
    return { kind: "actionState", actionId: decodeToken(b), state: c as ActionState };
  } else if (a === "devices" && p.length === 3 && c === "presence") {
    return { kind: "presence", device: decodeToken(b) };
  } else if (a === "devices" && p.length === 3 && c === "settings") {
    return { kind: "deviceSettings", device: decodeToken(b) };
  } else if (a === "provisioning" && p.length === 3 && (PROVISIONING_DECISIONS as readonly string[]).includes(c)) {
    return { kind: "provisioning", device: decodeToken(b), decision: c as ProvisioningDecision };
  } else if (a === "access" && p.length === 3 && b === "users") {
    return { kind: "user", user: decodeToken(c) };
  } else if (a === "access" && p.length === 3 && b === "groups") {
    return { kind: "group", group: decodeToken(c) };
  }
  return bad(subject);
}

/** Whether a concrete subject matches a pattern with `*` and `>` wildcards. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== "*" && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** The stream that stores a concrete subject; undefined when none does. */
export function streamOf(subject: string): StreamName | undefined {
  return STREAMS.find((stream) => STREAM_SUBJECTS[stream].some((pattern) => subjectMatches(pattern, subject)));
}

/** The stream of each kind of address (what `streamOf` finds for any subject `parseSubject` accepts). */
const STREAM_OF_KIND: Record<Address["kind"], StreamName> = {
  td: "THINGS",
  removed: "THINGS",
  event: "EVENTS",
  property: "EVENTS",
  action: "ACTIONS",
  actionState: "ACTIONS",
  presence: "PRESENCE",
  deviceSettings: "PROVISIONING",
  provisioning: "PROVISIONING",
  user: "ACCESS",
  group: "ACCESS",
};

/** The stream that stores a parsed address, without matching its subject against every stream's patterns. */
export function streamOfAddress(address: Address): StreamName {
  return STREAM_OF_KIND[address.kind];
}

/** Whether some concrete subject matches both patterns. */
export function patternsOverlap(a: string, b: string): boolean {
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === ">" || q === ">") return p !== undefined && q !== undefined;
    if (p === undefined || q === undefined) return false;
    if (p !== "*" && q !== "*" && p !== q) return false;
  }
  return true;
}

/** The streams holding any subject that matches the pattern, in STREAMS order. */
export function streamsFor(pattern: string): StreamName[] {
  return STREAMS.filter((stream) => STREAM_SUBJECTS[stream].some((s) => patternsOverlap(s, pattern)));
}

/** MQTT topics use the same tokens as subjects, separated by `/`. Tokens never hold `.` or `/`. */
export const topicOf = (subject: string): string => subject.replaceAll(".", "/");
export const subjectOfTopic = (topic: string): string => topic.replaceAll("/", ".");
