/** Checkpoint and poison rows, written inside the runner's transaction. */
import { eq, sql } from "drizzle-orm";
import type { Db } from "./db/database.ts";
import { projectionCheckpoints, projectionPoison } from "./tables.ts";

export type PoisonRow = { seq: number; subject: string; type: string; reason: string };

/** Makes sure the projection has a checkpoint row (at 0 when new), so it can be locked. */
export async function ensureCheckpoint(db: Db, name: string): Promise<void> {
  await db.insert(projectionCheckpoints).values({ name, seq: 0 }).onConflictDoNothing();
}

/** The checkpoint, locked until the transaction ends: concurrent batches and replay swaps take turns here. */
export async function lockCheckpoint(tx: Db, name: string): Promise<number> {
  const rows = await tx
    .select({ seq: projectionCheckpoints.seq })
    .from(projectionCheckpoints)
    .where(eq(projectionCheckpoints.name, name))
    .for("update");
  return rows[0]?.seq ?? 0;
}

export async function readCheckpoint(db: Db, name: string): Promise<number> {
  const rows = await db
    .select({ seq: projectionCheckpoints.seq })
    .from(projectionCheckpoints)
    .where(eq(projectionCheckpoints.name, name));
  return rows[0]?.seq ?? 0;
}

export async function setCheckpoint(tx: Db, name: string, seq: number): Promise<void> {
  await tx
    .insert(projectionCheckpoints)
    .values({ name, seq })
    .onConflictDoUpdate({ target: projectionCheckpoints.name, set: { seq, updatedAt: sql`now()` } });
}

export async function recordPoison(tx: Db, projection: string, rows: readonly PoisonRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insert(projectionPoison)
    .values(rows.map((r) => ({ projection, ...r, reason: r.reason.slice(0, 1000) })))
    .onConflictDoNothing();
}
