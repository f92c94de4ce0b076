/** The digital twin: the latest value of each property and event of each Thing. */
import { bigint, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const twinValues = pgTable(
  "twin_values",
  {
    thing: text("thing").notNull(),
    /** `event` or `property`. */
    kind: text("kind").notNull(),
    name: text("name").notNull(),
    value: jsonb("value"),
    time: timestamp("time", { withTimezone: true, mode: "string" }).notNull(),
    /** EVENTS stream sequence of the value; breaks ties between equal times. */
    seq: bigint("seq", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.thing, t.kind, t.name] })],
);

export const TWIN_TABLES = ["twin_values"];
