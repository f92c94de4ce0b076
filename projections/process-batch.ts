/**
 * One batch, exactly once: in one transaction lock the checkpoint, drop what it already covers, set poison aside,
 * apply the rest and move the checkpoint to the batch's last sequence. When the database refuses the data or the
 * handler throws, the batch is retried one event per transaction so only the bad event is set aside.
 */
import type { LoggedEvent } from "../core/event-log.ts";
import { lockCheckpoint, type PoisonRow, recordPoison, setCheckpoint } from "./checkpoints.ts";
import type { Db } from "./db/database.ts";
import { describeError, isDataError } from "./db/errors.ts";
import { type AnyProjection, HandlerError, type ProjectionEvent } from "./projection.ts";
import { checkEvent } from "./validate.ts";

export type BatchOutcome = { checkpoint: number; applied: number; skipped: number; poison: number };

/** Pure: events above the checkpoint, once each, in stream order. */
export function freshEvents(events: readonly LoggedEvent[], checkpoint: number): LoggedEvent[] {
  const bySeq = new Map<number, LoggedEvent>();
  for (const e of events) if (e.seq > checkpoint && !bySeq.has(e.seq)) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Pure: catalogue-valid events and poison rows. */
export function sortOut(events: readonly LoggedEvent[]): { valid: ProjectionEvent[]; poison: PoisonRow[] } {
  const valid: ProjectionEvent[] = [];
  const poison: PoisonRow[] = [];
  for (const e of events) {
    const checked = checkEvent(e);
    if (checked.ok) valid.push(checked.event);
    else poison.push({ seq: e.seq, subject: e.subject, type: e.type, reason: checked.reason });
  }
  return { valid, poison };
}

function commit(db: Db, p: AnyProjection, events: readonly LoggedEvent[], reason?: string): Promise<BatchOutcome> {
  return db.transaction(async (tx) => {
    const checkpoint = await lockCheckpoint(tx, p.name);
    const fresh = freshEvents(events, checkpoint);
    const last = fresh.at(-1);
    if (last === undefined) return { checkpoint, applied: 0, skipped: events.length, poison: 0 };
    const { valid, poison } =
      reason === undefined
        ? sortOut(fresh)
        : { valid: [], poison: fresh.map((e) => ({ seq: e.seq, subject: e.subject, type: e.type, reason })) };
    if (valid.length > 0) await p.project(tx, valid);
    await recordPoison(tx, p.name, poison);
    await setCheckpoint(tx, p.name, last.seq);
    const skipped = events.length - fresh.length;
    return { checkpoint: last.seq, applied: valid.length, skipped, poison: poison.length };
  });
}

const isBadData = (err: unknown) => err instanceof HandlerError || isDataError(err);

/** Applies a batch exactly once. Throws only when the database is unavailable (the caller retries later). */
export async function processBatch(db: Db, p: AnyProjection, events: readonly LoggedEvent[]): Promise<BatchOutcome> {
  try {
    return await commit(db, p, events);
  } catch (err) {
    if (!isBadData(err)) throw err;
    if (events.length === 1) return commit(db, p, events, describeError(err));
  }
  const total: BatchOutcome = { checkpoint: 0, applied: 0, skipped: 0, poison: 0 };
  for (const e of events) {
    const one = await processBatch(db, p, [e]);
    total.checkpoint = Math.max(total.checkpoint, one.checkpoint);
    total.applied += one.applied;
    total.skipped += one.skipped;
    total.poison += one.poison;
  }
  return total;
}
