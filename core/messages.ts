/**
 * The facts the hub records, one entry per CloudEvents `type`. Each entry says which subject kind carries it and
 * how its payload (the CloudEvent data) is shaped. Past tense: these happened.
 */
import { z } from "zod";
import { type Address, parseSubject } from "./subjects.ts";
import { thingDescription } from "./td.ts";

const id = z.string().min(1).max(256);
/** A JSON value: what `JSON.parse` returns. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

type NotJson = { path: (string | number)[]; message: string };

/** Where a value stops being JSON (a non-finite number, undefined, a function, a class instance), if it does. */
function notJson(value: unknown, path: (string | number)[]): NotJson | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : { path, message: `${value} is not a JSON number` };
    case "object": {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          const found = notJson(value[i], [...path, i]);
          if (found) return found;
        }
        return undefined;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return { path, message: "expected a plain JSON object" };
      for (const key of Object.keys(value)) {
        const found = notJson((value as Record<string, unknown>)[key], [...path, key]);
        if (found) return found;
      }
      return undefined;
    }
    default:
      return { path, message: `${value === undefined ? "undefined" : `a ${typeof value}`} is not a JSON value` };
  }
}

/**
 * Any JSON value, checked in place: the value itself is the parse result (no copy is built), which matters on the
 * ingest path where every device value passes through it. The first spot that is not JSON is reported with its path.
 */
export const json = z.custom<Json>().superRefine((value, ctx) => {
  const found = notJson(value, []);
  if (found) ctx.addIssue({ code: "custom", path: found.path, message: found.message });
});
const isoTime = z.iso.datetime({ offset: true });

export const actionRequest = z.object({
  /** Chosen at request time; also the token in `actions.{actionId}.{state}`. */
  actionId: id,
  input: json.optional(),
  /** Milliseconds the request may wait for delivery before it expires. */
  ttlMs: z
    .number()
    .int()
    .positive()
    .max(366 * 24 * 3600 * 1000)
    .optional(),
  requestedBy: id.optional(),
  /**
   * The W3C operation. Absent in requests appended before it existed: then a name `writeproperty:{property}`
   * (core/action-names.ts) marks a property write and any other name an action. `readproperty` (named
   * `readproperty:{property}`, no input) asks the device to report the property's current value.
   */
  op: z.enum(["invokeaction", "writeproperty", "readproperty"]).optional(),
});

const actionStep = z.object({ thing: id, name: id, at: isoTime.optional() });

export const presence = z.object({
  state: z.enum(["connected", "disconnected", "asleep"]),
  /** For `asleep`: when the device is expected back; for `connected`: how long it stays reachable. */
  until: isoTime.optional(),
  binding: z.string().max(32).optional(),
  things: z.array(id).optional(),
});

/** How the hub treats one device; each fact holds the whole settings, and an absent field means the hub's default. */
export const deviceSettings = z.object({
  /** Waiting actions go out one at a time (the next after a reply) or all at once. */
  actionDelivery: z.enum(["ordered", "all"]).optional(),
  /** Time to live, in milliseconds, of an action requested without one; 0: such actions never expire. */
  actionTtlMs: z
    .number()
    .int()
    .min(0)
    .max(366 * 24 * 3600 * 1000)
    .optional(),
  /** A property write that waits is cancelled by a later write of the same property. */
  mergePropertyWrites: z.boolean().optional(),
  by: id.optional(),
});

const role = z.enum(["viewer", "operator", "manager", "admin"]);

/** CloudEvents type → subject kind and payload schema. */
export const catalogue = {
  "spokes.ThingDescribed": { kind: "td", data: thingDescription },
  "spokes.ThingRemoved": { kind: "removed", data: z.object({ reason: z.string().max(500).optional() }) },
  "spokes.EventEmitted": { kind: "event", data: json },
  "spokes.PropertyReported": { kind: "property", data: json },
  "spokes.ActionRequested": { kind: "action", data: actionRequest },
  "spokes.ActionQueued": { kind: "actionState", data: actionStep },
  "spokes.ActionDelivered": { kind: "actionState", data: actionStep.extend({ via: z.string().max(64).optional() }) },
  "spokes.ActionCompleted": { kind: "actionState", data: actionStep.extend({ output: json.optional() }) },
  "spokes.ActionFailed": { kind: "actionState", data: actionStep.extend({ error: z.string().max(2000) }) },
  "spokes.ActionExpired": { kind: "actionState", data: actionStep },
  "spokes.ActionCancelled": { kind: "actionState", data: actionStep.extend({ by: id.optional() }) },
  "spokes.PresenceChanged": { kind: "presence", data: presence },
  "spokes.DeviceSettingsChanged": { kind: "deviceSettings", data: deviceSettings },
  "spokes.ProvisioningDecided": {
    kind: "provisioning",
    data: z.object({
      by: id.optional(),
      reason: z.string().max(500).optional(),
      publicKey: z.string().max(8192).optional(),
      /** Hashes only: secrets and tokens are never stored in the log. */
      secretHash: z.string().max(256).optional(),
      credentialHash: z.string().max(256).optional(),
      /** Pre-approval by hardware address: a request naming it is approved at once. */
      mac: z.string().max(64).optional(),
      /** SHA-256 of the nonce a request carried: proves who may poll it, and refuses a replay. */
      nonceHash: z.string().max(128).optional(),
      /** How a request's out-of-band secret compared with the pre-approval's. */
      secretCheck: z.enum(["matched", "wrong"]).optional(),
      /** Issued X.509 client certificate (public) and the SHA-256 of its DER bytes. */
      certificate: z.string().max(8192).optional(),
      certificateHash: z.string().max(128).optional(),
      /** Refused attempts: until when further out-of-band secrets are refused. */
      until: isoTime.optional(),
    }),
  },
  "spokes.UserAdded": { kind: "user", data: z.object({ displayName: z.string().max(200).optional() }) },
  "spokes.PasswordChanged": { kind: "user", data: z.object({ passwordHash: z.string().min(1).max(512) }) },
  "spokes.UserRemoved": { kind: "user", data: z.object({}) },
  "spokes.GroupCreated": { kind: "group", data: z.object({ title: z.string().max(200).optional() }) },
  "spokes.GroupDeleted": { kind: "group", data: z.object({}) },
  "spokes.MemberAdded": { kind: "group", data: z.object({ user: id, role }) },
  "spokes.MemberRemoved": { kind: "group", data: z.object({ user: id }) },
  "spokes.ThingAddedToGroup": { kind: "group", data: z.object({ thing: id }) },
  "spokes.ThingRemovedFromGroup": { kind: "group", data: z.object({ thing: id }) },
} as const satisfies Record<string, { kind: Address["kind"]; data: z.ZodType }>;

export type EventType = keyof typeof catalogue;
export type EventData<T extends EventType> = z.infer<(typeof catalogue)[T]["data"]>;
export const EVENT_TYPES = Object.keys(catalogue) as EventType[];
export type Role = z.infer<typeof role>;
export type Presence = z.infer<typeof presence>;
export type DeviceSettings = Omit<z.infer<typeof deviceSettings>, "by">;
export type ActionRequest = z.infer<typeof actionRequest>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(catalogue, type);
}

/**
 * A stored event read as a fact of `type` on a subject of `kind`: its address and parsed data, or undefined when
 * the type, the subject or the payload does not fit (written by another version, or not this fact at all).
 */
export function storedFact<T extends EventType, K extends Address["kind"]>(
  e: { subject: string; type: string; data: unknown },
  type: T,
  kind: K,
): { address: Extract<Address, { kind: K }>; data: EventData<T> } | undefined {
  if (e.type !== type) return undefined;
  let address: Address;
  try {
    address = parseSubject(e.subject);
  } catch {
    return undefined;
  }
  if (address.kind !== kind) return undefined;
  const data = catalogue[type].data.safeParse(e.data);
  if (!data.success) return undefined;
  return { address: address as Extract<Address, { kind: K }>, data: data.data as EventData<T> };
}
