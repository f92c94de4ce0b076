/** Access: users, groups, members with their roles, and the Things in each group. */
import { index, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const accessUsers = pgTable("access_users", {
  user: text("user").primaryKey(),
  displayName: text("display_name"),
  /** argon2id hash; never the password. */
  passwordHash: text("password_hash"),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull(),
});

export const accessGroups = pgTable("access_groups", {
  group: text("group").primaryKey(),
  title: text("title"),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "string" }).notNull(),
});

export const accessMembers = pgTable(
  "access_members",
  {
    group: text("group").notNull(),
    user: text("user").notNull(),
    role: text("role").notNull(),
  },
  (t) => [primaryKey({ columns: [t.group, t.user] }), index("access_members_user_idx").on(t.user)],
);

export const accessGroupThings = pgTable(
  "access_group_things",
  {
    group: text("group").notNull(),
    thing: text("thing").notNull(),
  },
  (t) => [primaryKey({ columns: [t.group, t.thing] }), index("access_group_things_thing_idx").on(t.thing)],
);

export const ACCESS_TABLES = ["access_users", "access_groups", "access_members", "access_group_things"];
