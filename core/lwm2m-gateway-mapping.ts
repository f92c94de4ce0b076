/**
 * Which hub Things the LwM2M gateway exposes to its upstream LwM2M server, and where: the declarative mapping an
 * administrator writes (as a file or through GraphQL). Pure: the schema, its defaults and checks. The gateway
 * (bindings/lwm2m-gateway) resolves it into LwM2M paths; `jetstream-gateway-mappings.ts` stores it.
 */
import { z } from "zod";
import { ValidationError } from "./errors.ts";

const id = z.string().min(1).max(256);
const objectId = z.number().int().min(0).max(65535);
const instanceId = z.number().int().min(0).max(65534);

/** LwM2M data types an exposed value may take. */
export const LWM2M_DATA_TYPES = ["string", "integer", "float", "boolean", "opaque", "time"] as const;
export type Lwm2mDataType = (typeof LWM2M_DATA_TYPES)[number];

/** What the server may do: read (and observe), write, both, or execute (actions only). */
export const LWM2M_ACCESS = ["read", "write", "readwrite", "execute"] as const;
export type Lwm2mAccess = (typeof LWM2M_ACCESS)[number];

export const exposure = z
  .object({
    thing: id,
    /** A property (read: latest value; write: property write), an event (read: latest), an action (write/execute). */
    kind: z.enum(["property", "event", "action"]),
    name: id,
    /** Defaults: one custom object per Thing (from `firstObjectId` on), one instance per exposed affordance. */
    objectId: objectId.optional(),
    instanceId: instanceId.optional(),
    /** Default: the value resource for the data type (see DEFAULT_RESOURCE), or 7 (Execute) for `execute`. */
    resourceId: objectId.optional(),
    /** Default: `read` for properties and events, `execute` for actions. */
    access: z.enum(LWM2M_ACCESS).optional(),
    /** Default: `string`. */
    type: z.enum(LWM2M_DATA_TYPES).optional(),
  })
  .strict();
export type Exposure = z.infer<typeof exposure>;

export const gatewayMapping = z
  .object({
    /** First object id of the default per-Thing objects (26241+ is free for private objects). */
    firstObjectId: objectId.default(26241),
    exposures: z.array(exposure).max(2000).default([]),
  })
  .strict();
export type GatewayMapping = z.infer<typeof gatewayMapping>;

/** The "Spokes affordance" object's resources: 1..6 carry a value of one type each, 7 runs an action. */
export const DEFAULT_RESOURCE: Record<Lwm2mDataType | "execute", number> = {
  string: 1,
  integer: 2,
  float: 3,
  boolean: 4,
  opaque: 5,
  time: 6,
  execute: 7,
};

/** One exposure with every default filled in. */
export type ResolvedExposure = Required<Omit<Exposure, "type">> & { type: Lwm2mDataType | "none" };

/** Objects 0..3 belong to the gateway itself (security, server, access control, device). */
const RESERVED_OBJECTS = new Set([0, 1, 2, 3]);

/**
 * Fills in defaults and checks the result: no LwM2M path used twice, no exposure on the gateway's own objects,
 * execute only for actions, write/execute never on events. Throws ValidationError naming the exposure.
 */
export function resolveMapping(mapping: GatewayMapping): ResolvedExposure[] {
  const objectOfThing = new Map<string, number>();
  const nextInstance = new Map<number, number>();
  const seen = new Map<string, number>();
  const issues: { path: string; message: string }[] = [];
  const out: ResolvedExposure[] = [];
  for (const [index, e] of mapping.exposures.entries()) {
    const at = `exposures.${index}`;
    if (!objectOfThing.has(e.thing)) objectOfThing.set(e.thing, mapping.firstObjectId + objectOfThing.size);
    const objectId = e.objectId ?? (objectOfThing.get(e.thing) as number);
    const access = e.access ?? (e.kind === "action" ? "execute" : "read");
    const type = access === "execute" ? "none" : (e.type ?? "string");
    const instanceId = e.instanceId ?? nextInstance.get(objectId) ?? 0;
    nextInstance.set(objectId, Math.max(nextInstance.get(objectId) ?? 0, instanceId + 1));
    const resourceId = e.resourceId ?? DEFAULT_RESOURCE[type === "none" ? "execute" : type];
    if (objectId > 65535) issues.push({ path: `${at}.objectId`, message: "object id beyond 65535" });
    if (RESERVED_OBJECTS.has(objectId))
      issues.push({ path: `${at}.objectId`, message: "objects 0-3 are the gateway's" });
    if (access === "execute" && e.kind !== "action") {
      issues.push({ path: `${at}.access`, message: "only actions can be executed" });
    }
    if (e.kind === "event" && access !== "read") issues.push({ path: `${at}.access`, message: "events are read-only" });
    if (e.kind === "action" && (access === "read" || access === "readwrite")) {
      issues.push({ path: `${at}.access`, message: "actions are written or executed, not read" });
    }
    const key = `/${objectId}/${instanceId}/${resourceId}`;
    const other = seen.get(key);
    if (other !== undefined) issues.push({ path: at, message: `${key} is already used by exposures.${other}` });
    seen.set(key, index);
    out.push({ thing: e.thing, kind: e.kind, name: e.name, objectId, instanceId, resourceId, access, type });
  }
  if (issues.length) throw new ValidationError(`the LwM2M gateway mapping is invalid: ${issues[0]?.message}`, issues);
  return out;
}

/** Parses a mapping document (e.g. a file's JSON); throws ValidationError with the issues. */
export function parseGatewayMapping(input: unknown): GatewayMapping {
  const parsed = gatewayMapping.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: i.path.map(String).join(".") || "(root)",
      message: i.message,
    }));
    throw new ValidationError(
      `the LwM2M gateway mapping is invalid: ${issues[0]?.path}: ${issues[0]?.message}`,
      issues,
    );
  }
  resolveMapping(parsed.data);
  return parsed.data;
}
