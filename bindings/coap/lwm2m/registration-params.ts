/**
 * The query parameters of LwM2M Register and Update (`ep`, `lt`, `lwm2m`, `b`, `Q`, `sms`), parsed with zod.
 * LwM2M 1.0 says queue mode with `b=UQ`; 1.1 with a bare `Q` parameter and `b=U`.
 */
import { z } from "zod";
import { ValidationError } from "../../../core/errors.ts";
import { issuesOf } from "../../../core/event-log.ts";

/** Lifetime when a client gives none (the spec's default), and the bounds we accept, in seconds. */
export const DEFAULT_LIFETIME_S = 86400;
const MIN_LIFETIME_S = 1;
const MAX_LIFETIME_S = 365 * 86400;

const endpointName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\p{Cc}/]+$/u, "must not contain control characters or /");
const lifetime = z.coerce.number().int().min(MIN_LIFETIME_S).max(MAX_LIFETIME_S);
const binding = z.string().regex(/^(U|UQ|S|SQ|US|UQS|[UMHTSN]{1,6})$/, "is not an LwM2M binding");
const version = z.enum(["1.0", "1.1", "1.2"]);

const registerSchema = z.object({
  ep: endpointName,
  lt: lifetime.default(DEFAULT_LIFETIME_S),
  lwm2m: version.default("1.0"),
  b: binding.default("U"),
  Q: z.literal("").optional(),
  sms: z.string().max(32).optional(),
});

const updateSchema = z.object({
  lt: lifetime.optional(),
  b: binding.optional(),
  Q: z.literal("").optional(),
  sms: z.string().max(32).optional(),
});

/** What a Register says about the client. */
export type RegisterParams = {
  endpoint: string;
  lifetimeS: number;
  version: "1.0" | "1.1" | "1.2";
  binding: string;
  queueMode: boolean;
};

export type UpdateParams = { lifetimeS?: number; binding?: string; queueMode?: boolean };

/** Uri-Query options as `name=value` strings → a record; a repeated name is refused (Leshan does the same). */
export function queryRecord(queries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const q of queries) {
    const eq = q.indexOf("=");
    const name = eq < 0 ? q : q.slice(0, eq);
    const value = eq < 0 ? "" : q.slice(eq + 1);
    if (Object.hasOwn(out, name)) throw new ValidationError(`query parameter ${name.slice(0, 32)} appears twice`);
    out[name] = value;
  }
  return out;
}

function parseWith<T>(schema: z.ZodType<T>, query: Record<string, string>, what: string): T {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new ValidationError(`${what} parameters are invalid`, issuesOf(parsed.error));
  return parsed.data;
}

const isQueue = (b: string, q: string | undefined) => q !== undefined || /^[US]*Q/.test(b) || b.includes("Q");

export function parseRegisterParams(query: Record<string, string>): RegisterParams {
  const p = parseWith(registerSchema, query, "Register");
  return { endpoint: p.ep, lifetimeS: p.lt, version: p.lwm2m, binding: p.b, queueMode: isQueue(p.b, p.Q) };
}

export function parseUpdateParams(query: Record<string, string>): UpdateParams {
  const p = parseWith(updateSchema, query, "Update");
  const out: UpdateParams = {};
  if (p.lt !== undefined) out.lifetimeS = p.lt;
  if (p.b !== undefined) {
    out.binding = p.b;
    out.queueMode = isQueue(p.b, p.Q);
  } else if (p.Q !== undefined) out.queueMode = true;
  return out;
}
