/**
 * What a projection is: a name, the stream and subjects it reads, a pure `handle` from a batch of events to row
 * changes, and `apply`, which writes those changes inside the runner's transaction.
 */
import type { LoggedEvent } from "../core/event-log.ts";
import type { Ack } from "../core/jetstream-event-log.ts";
import type { EventData, EventType } from "../core/messages.ts";
import type { Address, StreamName } from "../core/subjects.ts";
import type { Frame } from "./bare-subscription.ts";
import type { CopyPart, Db } from "./db/database.ts";

/**
 * A logged event that passed the catalogue: known type, payload parsed by its schema, subject parsed. `json` is the
 * payload's stored text when a bulk read kept it (`DecodedEvent`) and the schema took the payload as it is.
 */
export type ProjectionEvent = {
  [T in EventType]: Omit<LoggedEvent, "type" | "data"> & {
    type: T;
    data: EventData<T>;
    address: Address;
    json?: string | undefined;
  };
}[EventType];

/** The events of one type, for handlers that switch on `type`. */
export type EventOf<T extends EventType> = Extract<ProjectionEvent, { type: T }>;

export type Projection<Changes, Row = unknown> = {
  /** Unique; names the durable consumer and the checkpoint row. */
  name: string;
  stream: StreamName;
  /** Subject filters within the stream; the whole stream when empty. */
  filter: string[];
  /** Tables this projection owns (replay rebuilds exactly these). */
  tables: string[];
  /** Pure: events in stream order, each newer than the checkpoint, to row changes. */
  handle(events: readonly ProjectionEvent[]): Changes;
  /** Writes the changes; runs inside the runner's transaction and must be idempotent per event. */
  apply(tx: Db, changes: Changes): Promise<void>;
  /**
   * For replays that start after the stream's first message: copies the rows owed to earlier events from the live
   * tables (in schema `live`) into the new ones, which the search path finds first. Projections without it can
   * only be replayed from the start.
   */
  keepBefore?(tx: Db, live: string, fromSeq: number): Promise<void>;
  /** Optional, for replay: a bulk load (such as COPY) into the empty shadow tables. */
  bulk?: BulkLoad<Changes, Row>;
};

/** Where a replay builds: the live schema, the shadow schema, and what this replay has created there so far. */
export type ShadowTarget = { live: string; shadow: string; made: Set<string> };

/** Runs statements and COPYs in one transaction (`copyIn`, here or on the replay's writer thread). */
export type CopyRunner = (before: readonly string[], parts: readonly CopyPart[]) => Promise<boolean>;

export type BulkLoad<Changes, Row> = {
  /**
   * Pure: the changes as rows of the load, exactly the rows `apply` would write. Called before the previous batch's
   * write has finished, so it must not look at the database.
   */
  rows(changes: Changes): Row[];
  /**
   * Pure, optional: the row for a stored message straight from its bytes as replay's own NATS reader has them (the
   * frame and its ack subject, read in place), when it is one the projection's handler would take and turn into
   * exactly this row; undefined for anything else (which is then decoded, checked and handled as usual). Rows the
   * database refuses send their batch back through `apply`, event by event.
   */
  rowOf?(f: Frame, ack: Ack): Row | undefined;
  /**
   * Writes the rows into the tables of `target.shadow` (named with the schema, not through the search path), all or
   * nothing, through `copy`. False, having written nothing, when the database cannot bulk load.
   */
  write(copy: CopyRunner, target: ShadowTarget, rows: readonly Row[]): Promise<boolean>;
};

/** A batch's changes, computed and waiting to be written. */
export type PreparedChanges = {
  /** Writes them inside the caller's transaction, as `project` does. */
  apply(tx: Db): Promise<void>;
  /** The rows of the projection's bulk load, where it has one. */
  rows?: unknown[];
};

/** A bulk load's `rowOf` with its row type hidden, as replay's reader calls it. */
export type RowOf = NonNullable<BulkLoad<unknown, unknown>["rowOf"]>;

/** A projection with its change type hidden, so projections of different kinds fit in one list. */
export type AnyProjection = Omit<Projection<unknown>, "handle" | "apply" | "keepBefore" | "bulk"> & {
  /** handle then apply. */
  project(tx: Db, events: readonly ProjectionEvent[]): Promise<void>;
  /** handle (and the bulk load's rows where the projection has one), leaving the write for later. Throws HandlerError. */
  prepare(events: readonly ProjectionEvent[]): PreparedChanges;
  keepBefore?: Projection<unknown>["keepBefore"];
  bulk?: Pick<BulkLoad<unknown, unknown>, "rowOf" | "write">;
};

/** A handler threw: the events it was given are bad data for it, never a reason to stop the worker. */
export class HandlerError extends Error {
  override name = "HandlerError";
}

export function defineProjection<C, R = unknown>(p: Projection<C, R>): AnyProjection {
  const { handle, apply, bulk, ...rest } = p;
  const changesOf = (events: readonly ProjectionEvent[]): C => {
    try {
      return handle(events);
    } catch (cause) {
      throw new HandlerError(`${p.name}: ${(cause as Error)?.message ?? cause}`, { cause });
    }
  };
  return {
    ...rest,
    project(tx, events) {
      let changes: C;
      try {
        changes = changesOf(events);
      } catch (err) {
        return Promise.reject(err);
      }
      return apply(tx, changes);
    },
    prepare(events) {
      const changes = changesOf(events);
      return { apply: (tx) => apply(tx, changes), ...(bulk ? { rows: bulk.rows(changes) } : {}) };
    },
    ...(bulk
      ? {
          bulk: {
            ...(bulk.rowOf ? { rowOf: bulk.rowOf } : {}),
            write: (copy, target, rows) => bulk.write(copy, target, rows as R[]),
          },
        }
      : {}),
  };
}
