/** The runner's own tables: one checkpoint per projection, and the poison messages it set aside. */
import { bigint, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/** The last stream sequence whose effect is in the read model, per projection. */
export const projectionCheckpoints = pgTable("projection_checkpoints", {
  name: text("name").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull().default(0),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
});

/** Messages a projection could not use (unknown type, payload that fails its schema, data Postgres refused). */
export const projectionPoison = pgTable(
  "projection_poison",
  {
    projection: text("projection").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    subject: text("subject").notNull(),
    type: text("type").notNull(),
    reason: text("reason").notNull(),
    recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "string" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.projection, t.seq] })],
);
