/** The runner's gate: a logged event either parses against the catalogue or is poison, with a reason. */

import type { LoggedEvent } from "../core/event-log.ts";
import { issuesOf } from "../core/event-log.ts";
import { catalogue, isEventType } from "../core/messages.ts";
import { type Address, parseSubject } from "../core/subjects.ts";
import type { ProjectionEvent } from "./projection.ts";

/**
 * The schema of events and property values: any JSON value. A decoded payload is JSON by construction (the text
 * parsed, or the text itself), so on the hot path of history and twin the check is skipped.
 */
const ANY_JSON = catalogue["spokes.EventEmitted"].data;

/** Parsed subjects, since the same few thousand recur; bounded, cleared when full. */
const addresses = new Map<string, Address | string>();
const MAX_CACHED = 50_000;

/** The subject's address, or why it is not a hub subject. */
export function addressOf(subject: string): Address | string {
  let a = addresses.get(subject);
  if (a !== undefined) return a;
  try {
    a = parseSubject(subject);
  } catch (err) {
    a = (err as Error).message;
  }
  if (addresses.size >= MAX_CACHED) addresses.clear();
  addresses.set(subject, a);
  return a;
}

/** Whether `checkEvent` takes events of this type on subjects of this kind with any JSON payload as it is. */
export function takesAnyJson(type: string | undefined, kind: Address["kind"]): boolean {
  if (type === undefined || !isEventType(type)) return false;
  const entry = catalogue[type];
  return entry.kind === kind && entry.data === ANY_JSON;
}

export type Checked = { ok: true; event: ProjectionEvent } | { ok: false; reason: string };

/** Pure. Unknown types, subjects that are not hub subjects or not of the type's kind, and bad payloads are poison. */
export function checkEvent(e: LoggedEvent): Checked {
  if (!isEventType(e.type)) return { ok: false, reason: `unknown event type "${e.type.slice(0, 80)}"` };
  const address = addressOf(e.subject);
  if (typeof address === "string") return { ok: false, reason: address };
  const entry = catalogue[e.type];
  if (address.kind !== entry.kind) return { ok: false, reason: `${e.type} does not belong on ${e.subject}` };
  if (entry.data === ANY_JSON) return { ok: true, event: { ...e, address } as ProjectionEvent };
  const parsed = entry.data.safeParse(e.data);
  if (!parsed.success) {
    const first = issuesOf(parsed.error)[0];
    return { ok: false, reason: `${e.type} payload is invalid${first ? `: ${first.path}: ${first.message}` : ""}` };
  }
  if (address.kind === "td" && (parsed.data as { id: string }).id !== address.thing) {
    return { ok: false, reason: "the TD's id differs from the Thing in the subject" };
  }
  // The schema may have changed the payload (defaults, stripped keys): a stored text no longer stands for it.
  return { ok: true, event: { ...e, data: parsed.data, address, json: undefined } as ProjectionEvent };
}
