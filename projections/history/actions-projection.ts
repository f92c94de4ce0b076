/** The action history projection: ACTIONS stream → `history_actions` and `history_action_steps`. */
import { sql } from "drizzle-orm";
import { insertByUnnest, type UnnestColumn } from "../db/bulk-insert.ts";
import { defineProjection } from "../projection.ts";
import { type ActionChanges, handleActions, type StepRow } from "./actions-handler.ts";
import { ACTION_HISTORY_TABLES, historyActions as t } from "./tables.ts";

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const STEP_COLUMNS: UnnestColumn<StepRow>[] = [
  { name: "seq", type: "bigint", value: (r) => r.seq },
  { name: "action_id", type: "text", value: (r) => r.actionId },
  { name: "state", type: "text", value: (r) => r.state },
  { name: "time", type: "timestamptz", value: (r) => r.time },
  { name: "detail", type: "jsonb", value: (r) => json(r.detail) },
];

export const actionHistory = defineProjection<ActionChanges>({
  name: "action-history",
  stream: "ACTIONS",
  filter: [],
  tables: ACTION_HISTORY_TABLES,
  handle: handleActions,
  async apply(tx, { actions, steps }) {
    if (actions.length > 0) {
      await tx
        .insert(t)
        .values(actions)
        .onConflictDoUpdate({
          target: t.actionId,
          set: {
            // What the request says is kept whichever arrives first; the state follows the newest step.
            input: sql`coalesce(${t.input}, excluded.input)`,
            requestedBy: sql`coalesce(${t.requestedBy}, excluded.requested_by)`,
            ttlMs: sql`coalesce(${t.ttlMs}, excluded.ttl_ms)`,
            requestedAt: sql`coalesce(${t.requestedAt}, excluded.requested_at)`,
            state: sql`case when excluded.state_seq > ${t.stateSeq} then excluded.state else ${t.state} end`,
            updatedAt: sql`case when excluded.state_seq > ${t.stateSeq} then excluded.updated_at else ${t.updatedAt} end`,
            output: sql`case when excluded.state_seq > ${t.stateSeq} then excluded.output else ${t.output} end`,
            error: sql`case when excluded.state_seq > ${t.stateSeq} then excluded.error else ${t.error} end`,
            stateSeq: sql`greatest(${t.stateSeq}, excluded.state_seq)`,
          },
        });
    }
    await insertByUnnest(tx, "history_action_steps", STEP_COLUMNS, steps);
  },
});
