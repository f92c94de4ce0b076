/**
 * Pure: what the ACTIONS stream says about each action — its request and the furthest state it reached. States
 * only move forward (requested → queued → delivered → a final state), so a late or repeated step never undoes a
 * later one, and the first final state wins.
 */
import type { LoggedEvent } from "../../core/event-log.ts";
import { type ActionState, parseSubject } from "../../core/subjects.ts";

export type ActionEntry = {
  actionId: string;
  thing: string;
  name: string;
  input?: unknown;
  /** Time to live the requester gave, in milliseconds. */
  ttlMs?: number;
  requestedAt: string;
  /** ACTIONS sequence of the request: the delivery order. */
  seq: number;
  state: ActionState | "requested";
};

const RANK: Record<ActionEntry["state"], number> = {
  requested: 0,
  queued: 1,
  delivered: 2,
  completed: 3,
  failed: 3,
  expired: 3,
  cancelled: 3,
};

export const isFinal = (state: ActionEntry["state"]): boolean => RANK[state] === 3;
/** Waiting for delivery: requested or queued. */
export const isWaiting = (state: ActionEntry["state"]): boolean => RANK[state] < 2;

/** The entry after one ACTIONS event, or undefined when the event changes nothing. */
export function applyActionEvent(book: ReadonlyMap<string, ActionEntry>, e: LoggedEvent): ActionEntry | undefined {
  let a: ReturnType<typeof parseSubject>;
  try {
    a = parseSubject(e.subject);
  } catch {
    return undefined;
  }
  if (a.kind === "action" && e.type === "spokes.ActionRequested") {
    const d = e.data as { actionId?: unknown; input?: unknown; ttlMs?: unknown };
    if (typeof d?.actionId !== "string" || book.has(d.actionId)) return undefined;
    return {
      actionId: d.actionId,
      thing: a.thing,
      name: a.name,
      ...(d.input === undefined ? {} : { input: d.input }),
      ...(typeof d.ttlMs === "number" ? { ttlMs: d.ttlMs } : {}),
      requestedAt: e.time,
      seq: e.seq,
      state: "requested",
    };
  }
  if (a.kind === "actionState") {
    const entry = book.get(a.actionId);
    if (!entry || RANK[a.state] <= RANK[entry.state]) return undefined;
    return { ...entry, state: a.state };
  }
  return undefined;
}

/** When the action expires (ISO time), from its own time to live or the device's default; undefined: never. */
export function expiresAt(entry: ActionEntry, defaultTtlMs: number | undefined): string | undefined {
  const ttl = entry.ttlMs ?? defaultTtlMs;
  if (ttl === undefined || ttl <= 0) return undefined;
  return new Date(Date.parse(entry.requestedAt) + ttl).toISOString();
}

/**
 * With merging on, the property writes that a later queued write of the same property supersedes. `waiting` must
 * be in request order.
 */
export function supersededWrites(waiting: readonly ActionEntry[]): { entry: ActionEntry; by: string }[] {
  const latest = new Map<string, ActionEntry>();
  for (const e of waiting) if (e.name.startsWith("writeproperty:")) latest.set(`${e.thing}\u0000${e.name}`, e);
  const out: { entry: ActionEntry; by: string }[] = [];
  for (const e of waiting) {
    const last = latest.get(`${e.thing}\u0000${e.name}`);
    if (last && last !== e) out.push({ entry: e, by: last.actionId });
  }
  return out;
}
