/**
 * History: every event and property value, one row per stream message. The table is partitioned by day of `time`
 * (migration 0001 turns it into a partitioned table; drizzle-kit cannot express that): see partitions.ts.
 */
import { sql } from "drizzle-orm";
import { bigint, index, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const historyValues = pgTable(
  "history_values",
  {
    /** EVENTS stream sequence: unique, and the order the hub received them in. */
    seq: bigint("seq", { mode: "number" }).notNull(),
    thing: text("thing").notNull(),
    /** `event` or `property`. */
    kind: text("kind").notNull(),
    name: text("name").notNull(),
    /** Device time when sane, else the hub's receive time. */
    time: timestamp("time", { withTimezone: true, mode: "string" }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true, mode: "string" }).notNull(),
    data: jsonb("data"),
  },
  (t) => [
    // A partitioned table's key must hold the partition column; `seq` alone is unique all the same.
    primaryKey({ columns: [t.seq, t.time] }),
    index("history_values_thing_name_time_idx").on(t.thing, t.name, t.time),
    index("history_values_time_idx").on(t.time),
  ],
);

export const HISTORY_TABLES = ["history_values"];

/** Actions: one row per action with its request and its current state. */
export const historyActions = pgTable(
  "history_actions",
  {
    actionId: text("action_id").primaryKey(),
    thing: text("thing").notNull(),
    name: text("name").notNull(),
    input: jsonb("input"),
    requestedBy: text("requested_by"),
    ttlMs: bigint("ttl_ms", { mode: "number" }),
    /** Null while only later steps are known (the request aged out of the stream). */
    requestedAt: timestamp("requested_at", { withTimezone: true, mode: "string" }),
    /** requested, queued, delivered, completed, failed, expired or cancelled. */
    state: text("state").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" }).notNull(),
    output: jsonb("output"),
    error: text("error"),
    /** ACTIONS stream sequence of the state shown. */
    stateSeq: bigint("state_seq", { mode: "number" }).notNull(),
  },
  (t) => [
    index("history_actions_thing_requested_idx").on(t.thing, t.requestedAt),
    // The action list's order and time range: request time, or the first known step when the request aged out.
    index("history_actions_thing_since_idx").on(t.thing, sql`coalesce(${t.requestedAt}, ${t.updatedAt})`, t.actionId),
  ],
);

/** Every step of every action's life, in order. */
export const historyActionSteps = pgTable(
  "history_action_steps",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    actionId: text("action_id").notNull(),
    state: text("state").notNull(),
    time: timestamp("time", { withTimezone: true, mode: "string" }).notNull(),
    /** The step's payload (delivery route, output, error, who cancelled). */
    detail: jsonb("detail"),
  },
  (t) => [index("history_action_steps_action_idx").on(t.actionId, t.seq)],
);

export const ACTION_HISTORY_TABLES = ["history_actions", "history_action_steps"];
