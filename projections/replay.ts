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
import type { Db } from "./db/database.ts";
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
import { type AnyProjection, HandlerError, type PreparedChanges, type ShadowTarget } from "./projection.ts";
import { projectionNamed } from "./registry.ts";
import { readBatches, resolveFrom, streamBounds } from "./replay-source.ts";

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
  batchSize?: number;
};

export type ReplayResult = {
  projection: string;
  fromSeq: number;
  toSeq: number;
  events: number;
  poison: number;
  ms: number;
};

type Shadow = ShadowTarget & { db: Db; p: AnyProjection };

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

/** A batch sorted out and handled, its write still to do; `changes` undefined when the handler threw. */
type ReadyBatch = { events: LoggedEvent[]; poison: number; changes: PreparedChanges | undefined };

/** The CPU work of a batch, done while the previous batch is being written. Pure. */
function prepareBatch(s: Shadow, events: LoggedEvent[]): ReadyBatch {
  const { valid, poison } = sortOut(events);
  if (valid.length === 0) return { events, poison: poison.length, changes: { apply: async () => {} } };
  try {
    return { events, poison: poison.length, changes: s.p.prepare(valid) };
  } catch (err) {
    if (!(err instanceof HandlerError)) throw err;
    return { events, poison: poison.length, changes: undefined };
  }
}

/**
 * Writes a prepared batch to the shadow tables: by the projection's bulk load when it has one, else in a
 * transaction. Bad data (a handler that threw, rows Postgres refuses) sends the batch down `applyToShadow`, which
 * sets the bad events aside one by one. Returns the events not applied.
 */
async function writeBatch(s: Shadow, b: ReadyBatch): Promise<number> {
  const changes = b.changes;
  if (b.poison === b.events.length) return b.poison;
  if (changes === undefined) return applyToShadow(s, b.events);
  try {
    if (changes.bulk && (await changes.bulk.write(s.db, s))) return b.poison;
    await s.db.transaction(async (t) => {
      await useShadow(t, s.live, s.shadow);
      await changes.apply(t);
    });
    return b.poison;
  } catch (err) {
    if (!(err instanceof HandlerError || isDataError(err))) throw err;
  }
  return applyToShadow(s, b.events);
}

/** Rebuilds the named projection's tables from the stream. Safe while the runner is live. */
export async function replay(name: string, o: ReplayOptions): Promise<ReplayResult> {
  const p = projectionNamed(name);
  if (p === undefined) throw new NotFoundError(`no projection named "${name}"`);
  const started = performance.now();
  const batchSize = o.batchSize ?? 2000;
  const bounds = await streamBounds(o.log, p);
  const fromSeq = Math.max(1, await resolveFrom(o.log, p, bounds, o.from));
  if (fromSeq > 1 && p.keepBefore === undefined) {
    throw new ValidationError(`${name} can only be replayed from the start of its stream (sequence ${bounds.first})`);
  }
  await ensureCheckpoint(o.db, p.name);
  const live = await currentSchema(o.db);
  const s: Shadow = { db: o.db, p, live, shadow: shadowSchemaOf(p.name), made: new Set() };
  await createShadowTables(o.db, live, s.shadow, p.tables);
  try {
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
    const report = (batch: LoggedEvent[]) => {
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
    // Reading, decoding and preparing a batch overlap with writing the previous one; one write at a time.
    const pass = async (to: number) => {
      let writing: Promise<void> = Promise.resolve();
      let failed: { err: unknown } | undefined;
      const settle = async () => {
        await writing;
        if (failed) throw failed.err;
      };
      try {
        for await (const batch of readBatches(o.log, p, last + 1, to, batchSize)) {
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
  }
}
