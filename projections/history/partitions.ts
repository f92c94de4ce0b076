/**
 * History is partitioned by UTC day of `time`. Partitions are created as rows arrive (inside the batch's
 * transaction) and dropped by retention with DETACH … CONCURRENTLY, which does not block writers.
 * Unqualified names: during a replay the search path points them at the shadow tables.
 */
import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/database.ts";

const DAY_MS = 86_400_000;
const PARENT = "history_values";

/** Pure: the UTC day (YYYY-MM-DD) of an ISO time. */
export function dayOf(time: string): string {
  return (time.endsWith("Z") ? time : new Date(time).toISOString()).slice(0, 10);
}

/** Pure: the partition that holds a day, with its bounds. */
export function partitionOf(day: string): { name: string; from: string; to: string } {
  const from = new Date(`${day}T00:00:00.000Z`);
  return {
    name: `${PARENT}_p${day.replaceAll("-", "")}`,
    from: from.toISOString(),
    to: new Date(from.getTime() + DAY_MS).toISOString(),
  };
}

/** Pure: the day a partition holds, from its name; undefined for anything else. */
export function dayOfPartition(name: string): string | undefined {
  const m = /^history_values_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

/** Creates the partitions for these times' days unless they exist. */
export async function ensurePartitions(tx: Db, times: Iterable<string>): Promise<void> {
  const days = new Set<string>();
  for (const t of times) days.add(dayOf(t));
  for (const day of days) {
    const p = partitionOf(day);
    await tx.execute(
      sql`create table if not exists ${sql.identifier(p.name)} partition of ${sql.identifier(PARENT)}
          for values from (${sql.raw(`'${p.from}'`)}) to (${sql.raw(`'${p.to}'`)})`,
    );
  }
}

/** The days history holds a partition for, oldest first. */
export async function historyDays(db: Db): Promise<string[]> {
  const rows = await rowsOf<{ name: string }>(
    db,
    sql`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
        where i.inhparent = to_regclass(${PARENT})`,
  );
  return rows
    .map((r) => dayOfPartition(r.name))
    .filter((d): d is string => d !== undefined)
    .sort();
}

/**
 * Drops the partitions whose whole day lies before `cutoff`. Detaches concurrently (writers keep writing) where the
 * database allows it, then drops the detached table. Returns the days dropped.
 */
export async function dropHistoryBefore(db: Db, cutoff: Date): Promise<string[]> {
  const dropped: string[] = [];
  for (const day of await historyDays(db)) {
    const p = partitionOf(day);
    if (Date.parse(p.to) > cutoff.getTime()) continue;
    const name = sql.identifier(p.name);
    try {
      await db.execute(sql`alter table ${sql.identifier(PARENT)} detach partition ${name} concurrently`);
    } catch {
      await db.execute(sql`alter table ${sql.identifier(PARENT)} detach partition ${name}`);
    }
    await db.execute(sql`drop table ${name}`);
    dropped.push(day);
  }
  return dropped;
}

/** Runs `dropHistoryBefore(now - keepMs)` every `everyMs` until the returned function is called. */
export function scheduleHistoryRetention(
  db: Db,
  keepMs: number,
  everyMs = 3_600_000,
  onError: (err: unknown) => void = () => {},
): () => void {
  const run = () => dropHistoryBefore(db, new Date(Date.now() - keepMs)).catch(onError);
  void run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
