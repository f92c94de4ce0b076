/** The directory projection: THINGS stream → `directory_things`. */
import { and, eq, lt, sql } from "drizzle-orm";
import { defineProjection } from "../projection.ts";
import { type DirectoryChanges, handleDirectory } from "./handler.ts";
import { DIRECTORY_TABLES, directoryThings as t } from "./tables.ts";

export const directory = defineProjection<DirectoryChanges>({
  name: "directory",
  stream: "THINGS",
  filter: [],
  tables: DIRECTORY_TABLES,
  handle: handleDirectory,
  // A Thing whose current TD is older than the replay's start keeps it.
  async keepBefore(tx, live, fromSeq) {
    await tx.execute(
      sql`insert into directory_things select * from ${sql.identifier(live)}.directory_things where version < ${fromSeq}`,
    );
  },
  async apply(tx, { upsert, remove }) {
    if (upsert.length > 0) {
      await tx
        .insert(t)
        .values(upsert)
        .onConflictDoUpdate({
          target: t.thing,
          set: {
            title: sql`excluded.title`,
            description: sql`excluded.description`,
            types: sql`excluded.types`,
            td: sql`excluded.td`,
            source: sql`excluded.source`,
            version: sql`excluded.version`,
            updatedAt: sql`excluded.updated_at`,
          },
          // An older TD version never replaces a newer one.
          setWhere: lt(t.version, sql`excluded.version`),
        });
    }
    for (const r of remove) {
      await tx.delete(t).where(and(eq(t.thing, r.thing), lt(t.version, r.seq)));
    }
  },
});
