/** The presence projection: PRESENCE stream → `presence_devices`, each device's latest reachability. */
import { sql } from "drizzle-orm";
import { chunks, rowsPerStatement } from "../db/bulk-insert.ts";
import { defineProjection } from "../projection.ts";
import { handlePresence, type PresenceChanges } from "./handler.ts";
import { PRESENCE_TABLES, presenceDevices as t } from "./tables.ts";

export const presence = defineProjection<PresenceChanges>({
  name: "presence",
  stream: "PRESENCE",
  filter: [],
  tables: PRESENCE_TABLES,
  handle: handlePresence,
  // A device whose last change is older than the replay's start keeps it.
  async keepBefore(tx, live, fromSeq) {
    await tx.execute(
      sql`insert into presence_devices select * from ${sql.identifier(live)}.presence_devices where seq < ${fromSeq}`,
    );
  },
  async apply(tx, { upsert }) {
    for (const part of chunks(upsert, rowsPerStatement(7))) {
      await tx
        .insert(t)
        .values(part)
        .onConflictDoUpdate({
          target: t.device,
          set: {
            state: sql`excluded.state`,
            until: sql`excluded.until`,
            binding: sql`excluded.binding`,
            things: sql`excluded.things`,
            since: sql`excluded.since`,
            seq: sql`excluded.seq`,
          },
          setWhere: sql`${t.seq} < excluded.seq`,
        });
    }
  },
});
