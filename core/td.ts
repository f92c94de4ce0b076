/**
 * The essentials of a W3C WoT Thing Description 1.1 that the hub relies on: an id, a title, and properties, events
 * and actions whose data schemas are well formed. Unknown members are kept as they are (TDs carry extensions).
 */
import { z } from "zod";
import { MAX_ID_LENGTH } from "./ids.ts";

const JSON_TYPES = ["boolean", "integer", "number", "string", "object", "array", "null"] as const;

const multiLanguage = z.record(z.string(), z.string());

/** WoT DataSchema (recursive through `properties`, `items` and the combinators). */
export type DataSchema = {
  type?: (typeof JSON_TYPES)[number];
  title?: string;
  description?: string;
  unit?: string;
  readOnly?: boolean;
  writeOnly?: boolean;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  properties?: Record<string, DataSchema>;
  items?: DataSchema | DataSchema[];
  required?: string[];
  oneOf?: DataSchema[];
  [extension: string]: unknown;
};

export const dataSchema: z.ZodType<DataSchema> = z.lazy(() =>
  z.looseObject({
    type: z.enum(JSON_TYPES).optional(),
    title: z.string().optional(),
    description: z.string().optional(),
    unit: z.string().optional(),
    readOnly: z.boolean().optional(),
    writeOnly: z.boolean().optional(),
    enum: z.array(z.unknown()).min(1).optional(),
    minimum: z.number().optional(),
    maximum: z.number().optional(),
    properties: z.record(z.string(), dataSchema).optional(),
    items: z.union([dataSchema, z.array(dataSchema)]).optional(),
    required: z.array(z.string()).optional(),
    oneOf: z.array(dataSchema).optional(),
  }),
);

const form = z.looseObject({ href: z.string().min(1), contentType: z.string().optional(), op: z.unknown().optional() });

const interaction = {
  title: z.string().optional(),
  titles: multiLanguage.optional(),
  description: z.string().optional(),
  descriptions: multiLanguage.optional(),
  "@type": z.union([z.string(), z.array(z.string())]).optional(),
  forms: z.array(form).optional(),
};

export const propertyAffordance = z.intersection(
  dataSchema,
  z.looseObject({ ...interaction, observable: z.boolean().optional() }),
);

export const actionAffordance = z.looseObject({
  ...interaction,
  input: dataSchema.optional(),
  output: dataSchema.optional(),
  safe: z.boolean().optional(),
  idempotent: z.boolean().optional(),
  synchronous: z.boolean().optional(),
});

export const eventAffordance = z.looseObject({
  ...interaction,
  data: dataSchema.optional(),
  subscription: dataSchema.optional(),
  cancellation: dataSchema.optional(),
});

/** Affordance names become subject tokens: keep them short and free of control characters. */
const affordanceName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\p{Cc}]+$/u, "must not contain control characters");

const context = z.union([z.string(), z.array(z.unknown()).min(1)]);

export const thingDescription = z.looseObject({
  "@context": context.optional(),
  "@type": z.union([z.string(), z.array(z.string())]).optional(),
  id: z.string().min(1).max(MAX_ID_LENGTH),
  title: z.string().min(1),
  titles: multiLanguage.optional(),
  description: z.string().optional(),
  descriptions: multiLanguage.optional(),
  version: z.looseObject({ instance: z.string() }).optional(),
  properties: z.record(affordanceName, propertyAffordance).optional(),
  actions: z.record(affordanceName, actionAffordance).optional(),
  events: z.record(affordanceName, eventAffordance).optional(),
  links: z.array(z.looseObject({ href: z.string() })).optional(),
  forms: z.array(form).optional(),
  security: z.union([z.string(), z.array(z.string())]).optional(),
  securityDefinitions: z.record(z.string(), z.looseObject({ scheme: z.string() })).optional(),
});

export type ThingDescription = z.infer<typeof thingDescription>;

/** The `@type` values of a TD as a list. */
export function typesOf(td: ThingDescription): string[] {
  const t = td["@type"];
  return t === undefined ? [] : Array.isArray(t) ? t : [t];
}
