/** Action history's pure handler: requests and each later step, and the state each action is in. */
import type { ProjectionEvent } from "../projection.ts";
import type { historyActionSteps, historyActions } from "./tables.ts";

export type ActionRow = typeof historyActions.$inferInsert;
export type StepRow = typeof historyActionSteps.$inferInsert;
export type ActionChanges = { actions: ActionRow[]; steps: StepRow[] };

export function handleActions(events: readonly ProjectionEvent[]): ActionChanges {
  const actions = new Map<string, ActionRow>();
  const steps: StepRow[] = [];
  for (const e of events) {
    const a = e.address;
    if (e.type === "spokes.ActionRequested" && a.kind === "action") {
      const d = e.data;
      const row: ActionRow = {
        actionId: d.actionId,
        thing: a.thing,
        name: a.name,
        input: d.input ?? null,
        requestedBy: d.requestedBy ?? null,
        ttlMs: d.ttlMs ?? null,
        requestedAt: e.time,
        state: "requested",
        updatedAt: e.time,
        stateSeq: e.seq,
      };
      const seen = actions.get(d.actionId);
      // A later step in the same batch keeps its state; the request fills in what it knows.
      actions.set(d.actionId, seen ? { ...row, ...pickState(seen) } : row);
      steps.push({ seq: e.seq, actionId: d.actionId, state: "requested", time: e.time, detail: null });
    } else if (a.kind === "actionState" && e.type !== "spokes.ActionRequested") {
      const { thing, name, at, ...detail } = e.data as { thing: string; name: string; at?: string };
      const time = at ?? e.time;
      const seen = actions.get(a.actionId);
      const state = { state: a.state, updatedAt: time, stateSeq: e.seq, ...outcome(e) };
      actions.set(a.actionId, seen ? { ...seen, ...state } : { actionId: a.actionId, thing, name, ...state });
      steps.push({ seq: e.seq, actionId: a.actionId, state: a.state, time, detail });
    }
  }
  return { actions: [...actions.values()], steps };
}

function pickState(r: ActionRow) {
  return { state: r.state, updatedAt: r.updatedAt, stateSeq: r.stateSeq, output: r.output, error: r.error };
}

function outcome(e: ProjectionEvent): { output?: unknown; error?: string } {
  if (e.type === "spokes.ActionCompleted") return { output: e.data.output ?? null };
  if (e.type === "spokes.ActionFailed") return { error: e.data.error };
  return {};
}
