/** An action's lifecycle as the ACTIONS stream records it on `actions.{actionId}.{state}`. */
import type { EventLog, LoggedEvent } from "../../core/event-log.ts";
import { ACTION_STATES, type ActionState, parseSubject, subjects } from "../../core/subjects.ts";

/** One step of an action's life. `requested` is the request itself; the rest come from `actions.{id}.{state}`. */
export type ActionStep = {
  seq: number;
  actionId: string;
  state: ActionState | "requested";
  time: string;
  output?: unknown;
  error?: string;
};

const TERMINAL: readonly string[] = ["completed", "failed", "expired", "cancelled"];
/** Whether an action in this state will not change any more. */
export const isTerminal = (state: ActionStep["state"]): boolean => TERMINAL.includes(state);

/** The subjects of one action's lifecycle, one per state (no wildcard built by hand). */
export const actionStateFilter = (actionId: string): string[] =>
  ACTION_STATES.map((s) => subjects.actionState(actionId, s));

export function toActionStep(e: LoggedEvent): ActionStep | undefined {
  const a = parseSubject(e.subject);
  if (a.kind !== "actionState") return undefined;
  const d = (e.data ?? {}) as { at?: string; output?: unknown; error?: string };
  return {
    seq: e.seq,
    actionId: a.actionId,
    state: a.state,
    time: d.at ?? e.time,
    ...(d.output === undefined ? {} : { output: d.output }),
    ...(d.error === undefined ? {} : { error: d.error }),
  };
}

/** What a caller may wait for after the request is stored. */
export type AwaitedState = "delivered" | "completed";

const reached = (state: ActionStep["state"], target: AwaitedState) =>
  isTerminal(state) || (target === "delivered" && state === "delivered");

/**
 * Watches the action's lifecycle from just after its request (`requestSeq`) until `target` or a final state is
 * reached, or `timeoutMs` passes. Returns the last step seen (undefined: none yet) and whether time ran out.
 */
export async function waitForAction(
  log: EventLog,
  actionId: string,
  requestSeq: number,
  target: AwaitedState,
  timeoutMs: number,
): Promise<{ step: ActionStep | undefined; timedOut: boolean }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let step: ActionStep | undefined;
  try {
    const filter = actionStateFilter(actionId);
    for await (const e of log.watch({ stream: "ACTIONS", filter, from: requestSeq + 1, signal: controller.signal })) {
      step = toActionStep(e) ?? step;
      if (step && reached(step.state, target)) return { step, timedOut: false };
    }
    return { step, timedOut: true };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}
