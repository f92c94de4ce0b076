/**
 * Replay: rebuilds one read model from its stream while the hub keeps serving. The events go into shadow copies of
 * the projection's tables; the copies catch up with the live checkpoint, and then, holding the checkpoint lock (so
 * the live runner waits), the last events are applied and the copies replace the live tables in one transaction.
 * Readers see the old rows until that commit and the new ones after; the live runner carries on from there.
 */
import { sql } from "drizzle-orm";
import { NotFoundError, ValidationError } from "../core/errors.ts";
import type { LoggedEvent } from "../core/event-log.ts";
import type { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { ensureCheckpoint, lockCheckpoint, readCheckpoint, setCheckpoint } from "./checkpoints.ts";
import { startCopyThread } from "./db/copy-thread.ts";
import type { Db } from "./db/database.ts";
import { copyIn } from "./db/database.ts";
import { isDataError } from "./db/errors.ts";
import {
  createShadowTables,
  currentSchema,
  dropShadowTables,
  indexShadowTables,
  shadowSchemaOf,
  swapInShadowTables,
  useShadow,
} from "./db/shadow-tables.ts";
import { sortOut } from "./process-batch.ts";
import {
  type AnyProjection,
  type CopyRunner,
  HandlerError,
  type PreparedChanges,
  type ShadowTarget,
} from "./projection.ts";
import { projectionNamed } from "./registry.ts";
import { ReadyRow, type ReplayItem, readBatches, resolveFrom, streamBounds } from "./replay-source.ts";

export type ReplayProgress = {
  projection: string;
  /** Events applied so far. */
  done: number;
  /** Events expected in the first pass (the stream's head when the replay began, minus the start). */
  total: number;
  seq: number;
  eventsPerSecond: number;
  /** Seconds left at the current rate; 0 when done. */
  etaSeconds: number;
};

export type ReplayOptions = {
  db: Db;
  log: Pick<JetStreamEventLog, "jsm" | "nc" | "read">;
  /** Start at this stream sequence or time; rows owed to earlier events are kept (only where the model can). */
  from?: number | Date;
  onProgress?: (p: ReplayProgress) => void;
  /**
   * Events per batch (one COPY or transaction each). Default 5000: with 2000, the gaps between COPYs left Postgres
   * idle for a tenth of the time (docs/benchmarks.md).
   */
  batchSize?: number;
  /**
   * The URL of the Postgres server `db` is on. Given, the bulk loads are written by a thread of their own with its
   * own connection (`copy-thread.ts`), beside the reading and decoding on this one.
   */
  writerUrl?: string;
};

export type ReplayResult = {
  projection: string;
  fromSeq: number;
  toSeq: number;
  events: number;
  poison: number;
  ms: number;
};

type Shadow = ShadowTarget & {
  db: Db;
  p: AnyProjection;
  /** Runs a bulk load's COPYs. */
  copy: CopyRunner;
  /** The events from `first` to `last`, decoded, for a batch that came partly as ready rows. */
  reread(first: number, last: number): Promise<LoggedEvent[]>;
};

/** Applies events to the shadow tables; events Postgres or the handler refuse are counted, not applied. */
async function applyToShadow(s: Shadow, events: LoggedEvent[], tx?: Db): Promise<number> {
  const { valid, poison } = sortOut(events);
  const run = async (t: Db) => {
    await useShadow(t, s.live, s.shadow);
    if (valid.length > 0) await s.p.project(t, valid);
  };
  if (tx) {
    await run(tx);
    return poison.length;
  }
  try {
    await s.db.transaction(run);
    return poison.length;
  } catch (err) {
    if (!(err instanceof HandlerError || isDataError(err))) throw err;
    if (events.length === 1) return 1;
  }
  let bad = 0;
  for (const e of events) bad += await applyToShadow(s, [e]);
  return bad;
}

/**
 * A batch sorted out and handled, its write still to do: `rows` for the projection's bulk load (the ready rows that
 * came from the reader and those of the decoded events); `changes` undefined when the handler threw; `direct` when
 * some events came only as rows, so going back to the events means reading them again.
 */
type ReadyBatch = {
  items: ReplayItem[];
  events: LoggedEvent[];
  direct: boolean;
  poison: number;
  changes: PreparedChanges | undefined;
  rows: unknown[];
};

/** The CPU work of a batch, done while the previous batch is being written. Pure. */
function prepareBatch(s: Shadow, items: ReplayItem[]): ReadyBatch {
  const events: LoggedEvent[] = [];
  const rows: unknown[] = [];
  for (const item of items) {
    if (item instanceof ReadyRow) rows.push(item.row);
    else events.push(item);
  }
  const { valid, poison } = sortOut(events);
  const batch = { items, events, direct: rows.length > 0, poison: poison.length, rows };
  if (valid.length === 0) return { ...batch, changes: { apply: async () => {} } };
  try {
    const changes = s.p.prepare(valid);
    for (const r of changes.rows ?? []) rows.push(r);
    return { ...batch, changes };
  } catch (err) {
    if (!(err instanceof HandlerError)) throw err;
    return { ...batch, changes: undefined };
  }
}

/**
 * Writes a prepared batch to the shadow tables: by the projection's bulk load when it has one, else in a
 * transaction. Bad data (a handler that threw, rows Postgres refuses) sends the batch's events down
 * `applyToShadow`, which sets the bad ones aside one by one. Returns the events not applied.
 */
async function writeBatch(s: Shadow, b: ReadyBatch): Promise<number> {
  if (b.poison === b.items.length) return b.poison;
  const events = async () => (b.direct ? s.reread(b.items[0]?.seq ?? 0, b.items.at(-1)?.seq ?? 0) : b.events);
  const changes = b.changes;
  if (changes === undefined) return applyToShadow(s, await events());
  try {
    if (s.p.bulk) {
      if (b.rows.length === 0 || (await s.p.bulk.write(s.copy, s, b.rows))) return b.poison;
    } else {
      await s.db.transaction(async (t) => {
        await useShadow(t, s.live, s.shadow);
        await changes.apply(t);
      });
      return b.poison;
    }
  } catch (err) {
    if (!(err instanceof HandlerError || isDataError(err))) throw err;
  }
  return applyToShadow(s, await events());
}

/** Rebuilds the named projection's tables from the stream. Safe while the runner is live. */
export async function replay(name: string, o: ReplayOptions): Promise<ReplayResult> {
  const p = projectionNamed(name);
  if (p === undefined) throw new NotFoundError(`no projection named "${name}"`);
  const started = performance.now();
  const batchSize = o.batchSize ?? 5000;
  const bounds = await streamBounds(o.log, p);
  const fromSeq = Math.max(1, await resolveFrom(o.log, p, bounds, o.from));
  if (fromSeq > 1 && p.keepBefore === undefined) {
    throw new ValidationError(`${name} can only be replayed from the start of its stream (sequence ${bounds.first})`);
  }
  await ensureCheckpoint(o.db, p.name);
  const live = await currentSchema(o.db);
  // The writer thread starts while the shadow tables are made and the first batches are read; the first write waits
  // for it.
  const starting = o.writerUrl && p.bulk ? startCopyThread(o.writerUrl) : undefined;
  // Settled here too, so a thread that fails to start while nothing waits for it yet is not an unhandled rejection.
  starting?.catch(() => {});
  const s: Shadow = {
    db: o.db,
    p,
    live,
    shadow: shadowSchemaOf(p.name),
    made: new Set(),
    copy: async (before, parts) => {
      const writer = await starting;
      return writer ? writer.copy(before, parts) : copyIn(o.db, before, parts);
    },
    async reread(first, last) {
      const events: LoggedEvent[] = [];
      for await (const b of readBatches(o.log, p, first, last, batchSize)) for (const e of b) events.push(e);
      return events;
    },
  };
  try {
    await createShadowTables(o.db, live, s.shadow, p.tables);
    if (fromSeq > 1 && p.keepBefore) {
      const keep = p.keepBefore;
      await o.db.transaction(async (tx) => {
        await useShadow(tx, live, s.shadow);
        await keep(tx, live, fromSeq);
      });
    }
    let done = 0;
    let poison = 0;
    let last = fromSeq - 1;
    const total = Math.max(0, bounds.last - fromSeq + 1);
    const report = (batch: ReplayItem[]) => {
      done += batch.length;
      last = batch.at(-1)?.seq ?? last;
      const rate = done / Math.max((performance.now() - started) / 1000, 1e-3);
      o.onProgress?.({
        projection: name,
        done,
        total,
        seq: last,
        eventsPerSecond: Math.round(rate),
        etaSeconds: Math.max(0, (total - done) / Math.max(rate, 1)),
      });
    };
    // Reading, decoding and preparing a batch overlap with writing the previous one; one write at a time (a batch
    // may create a partition the next one writes to).
    const pass = async (to: number) => {
      let writing: Promise<void> = Promise.resolve();
      let failed: { err: unknown } | undefined;
      const settle = async () => {
        await writing;
        if (failed) throw failed.err;
      };
      try {
        for await (const batch of readBatches(o.log, p, last + 1, to, batchSize, p.bulk?.rowOf)) {
          const ready = prepareBatch(s, batch);
          await settle();
          writing = writeBatch(s, ready).then(
            (bad) => {
              poison += bad;
              report(batch);
            },
            (err: unknown) => {
              failed = { err };
            },
          );
        }
      } finally {
        await writing;
      }
      await settle();
      last = Math.max(last, to);
    };
    await pass(bounds.last);
    // Catch up with the live projection without holding it up, until little is left.
    for (let c = await readCheckpoint(o.db, p.name); c - last > batchSize; c = await readCheckpoint(o.db, p.name)) {
      await pass(c);
    }
    await indexShadowTables(o.db, live, s.shadow, p.tables);
    await o.db.transaction(async (tx) => {
      const checkpoint = await lockCheckpoint(tx, p.name);
      if (checkpoint > last) {
        const batches: LoggedEvent[] = [];
        for await (const b of readBatches(o.log, p, last + 1, checkpoint, batchSize)) batches.push(...b);
        poison += await applyToShadow(s, batches, tx);
        done += batches.length;
        last = checkpoint;
      }
      await tx.execute(sql`select set_config('search_path', ${`"${live}"`}, true)`);
      await swapInShadowTables(tx, live, s.shadow, p.tables);
      await setCheckpoint(tx, p.name, Math.max(checkpoint, last));
    });
    return {
      projection: name,
      fromSeq,
      toSeq: last,
      events: done,
      poison,
      ms: Math.round(performance.now() - started),
    };
  } catch (err) {
    await dropShadowTables(o.db, s.shadow).catch(() => {});
    throw err;
  } finally {
    await (await starting?.catch(() => undefined))?.close();
  }
}
