/** Applies the drizzle-kit generated SQL in `migrations/`, on either driver. Safe to run at every start. */
import { resolve } from "node:path";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { Database } from "./database.ts";

export const MIGRATIONS_FOLDER = resolve(import.meta.dirname, "..", "..", "migrations");

export async function migrate(database: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (database.kind === "postgres") await migratePostgres(database.db as never, config);
  else await migratePglite(database.db as never, config);
}
