/** Directory: every Thing the hub knows with its current Thing Description. */
import { bigint, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const directoryThings = pgTable(
  "directory_things",
  {
    thing: text("thing").primaryKey(),
    title: text("title").notNull(),
    description: text("description"),
    /** The TD's `@type` values. */
    types: text("types").array().notNull(),
    td: jsonb("td").notNull(),
    /** Who appended the TD (e.g. `mqtt/device-7`): the device that owns the Thing. */
    source: text("source").notNull(),
    /** THINGS stream sequence of the TD version shown. */
    version: bigint("version", { mode: "number" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "string" }).notNull(),
  },
  (t) => [
    index("directory_things_types_idx").using("gin", t.types),
    // A device's Things (presence checks look them up by the TD's source).
    index("directory_things_source_idx").on(t.source),
  ],
);

export const DIRECTORY_TABLES = ["directory_things"];
