/** Presence: whether each device is reachable now, as the bindings last reported it. */
import { bigint, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const presenceDevices = pgTable("presence_devices", {
  device: text("device").primaryKey(),
  /** `connected`, `disconnected` or `asleep`. */
  state: text("state").notNull(),
  /** For `asleep`: when the device is expected back; for `connected`: until when it stays reachable. */
  until: timestamp("until", { withTimezone: true, mode: "string" }),
  /** The binding that saw the change (`mqtt`, `http`, `lwm2m`, …). */
  binding: text("binding"),
  /** The Things the device said it hosts, when it said so. */
  things: text("things").array(),
  /** When the state began: device time when sane, else the hub's receive time. */
  since: timestamp("since", { withTimezone: true, mode: "string" }).notNull(),
  /** PRESENCE stream sequence of the change shown; a change never replaces a later one. */
  seq: bigint("seq", { mode: "number" }).notNull(),
});

export const PRESENCE_TABLES = ["presence_devices"];
