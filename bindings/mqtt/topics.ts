/**
 * Pure: the MQTT topics a device uses, parsed with zod. Topic levels are the same encoded tokens as subject tokens
 * (core/ids.ts): an id made of letters, digits, `-`, `_` and `:` is written as it is; any other character as `~XX`.
 *
 * Publish: `things/{thing}/td`, `things/{thing}/event/{name}`, `things/{thing}/property/{name}`,
 * `things/{thing}/action-status/{name}`. Subscribe: `things/{thing}/action/{name}` or `things/{thing}/action/+`,
 * and `devices/{device}/errors` for the reasons the hub dropped a message.
 */
import { z } from "zod";
import { ValidationError } from "../../core/errors.ts";
import { issuesOf } from "../../core/event-log.ts";
import { decodeToken, encodeToken } from "../../core/ids.ts";
import { subjects, topicOf } from "../../core/subjects.ts";

const token = z.string().transform((t, ctx) => {
  try {
    return decodeToken(t);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

const publishTopic = z.union([
  z.tuple([z.literal("things"), token, z.literal("td")]).transform(([, thing]) => ({ kind: "td" as const, thing })),
  z
    .tuple([z.literal("things"), token, z.enum(["event", "property"]), token])
    .transform(([, thing, kind, name]) => ({ kind, thing, name })),
  z
    .tuple([z.literal("things"), token, z.literal("action-status"), token])
    .transform(([, thing, kind, name]) => ({ kind, thing, name })),
]);

export type PublishTopic = z.infer<typeof publishTopic>;

const subscribeFilter = z.union([
  z
    .tuple([z.literal("things"), token, z.literal("action"), z.union([z.literal("+"), token])])
    .transform(([, thing, , name]) => ({ kind: "actions" as const, thing, name: name === "+" ? undefined : name })),
  z
    .tuple([z.literal("devices"), token, z.literal("errors")])
    .transform(([, device]) => ({ kind: "errors" as const, device })),
]);

export type SubscribeFilter = z.infer<typeof subscribeFilter>;

function parse<T>(schema: z.ZodType<T>, topic: string, what: string): T {
  const r = schema.safeParse(topic.split("/"));
  if (r.success) return r.data;
  throw new ValidationError(`"${topic.slice(0, 120)}" is not a ${what}`, issuesOf(r.error));
}

/** Publish topics parsed lately: devices publish on the same few topics again and again. */
const knownTopics = new Map<string, Readonly<PublishTopic>>();
const KNOWN_TOPICS = 10_000;

/**
 * What a device publishes on `topic`; ValidationError when it is not a device topic. Valid topics are remembered
 * (up to 10,000, then forgotten all at once), so a topic seen before costs one lookup; the answer is frozen.
 */
export function parsePublishTopic(topic: string): Readonly<PublishTopic> {
  const known = knownTopics.get(topic);
  if (known !== undefined) return known;
  const parsed = Object.freeze(parse(publishTopic, topic, "device publish topic"));
  if (knownTopics.size >= KNOWN_TOPICS) knownTopics.clear();
  knownTopics.set(topic, parsed);
  return parsed;
}

/** What a device subscribes to with `filter`; ValidationError when devices may not subscribe to it. */
export const parseSubscribeFilter = (filter: string): SubscribeFilter =>
  parse(subscribeFilter, filter, "device subscription");

/** The topic an action request for `thing`'s `name` is delivered on. */
export const actionTopic = (thing: string, name: string): string => topicOf(subjects.actionRequest(thing, name));

/** The topic the hub tells a device on why it dropped one of its messages. */
export const errorsTopic = (device: string): string => `devices/${encodeToken(device)}/errors`;

/** Whether a device's subscription filter covers the action topic of `thing`'s `name`. */
export function filterCovers(filter: SubscribeFilter, thing: string, name: string): boolean {
  return filter.kind === "actions" && filter.thing === thing && (filter.name === undefined || filter.name === name);
}
