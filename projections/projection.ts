/**
 * What a projection is: a name, the stream and subjects it reads, a pure `handle` from a batch of events to row
 * changes, and `apply`, which writes those changes inside the runner's transaction.
 */
import type { LoggedEvent } from "../core/event-log.ts";
import type { EventData, EventType } from "../core/messages.ts";
import type { Address, StreamName } from "../core/subjects.ts";
import type { Db } from "./db/database.ts";

/** A logged event that passed the catalogue: known type, payload parsed by its schema, subject parsed. */
export type ProjectionEvent = {
  [T in EventType]: Omit<LoggedEvent, "type" | "data"> & { type: T; data: EventData<T>; address: Address };
}[EventType];

/** The events of one type, for handlers that switch on `type`. */
export type EventOf<T extends EventType> = Extract<ProjectionEvent, { type: T }>;

export type Projection<Changes> = {
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
};

/** A projection with its change type hidden, so projections of different kinds fit in one list. */
export type AnyProjection = Omit<Projection<unknown>, "handle" | "apply" | "keepBefore"> & {
  /** handle then apply. */
  project(tx: Db, events: readonly ProjectionEvent[]): Promise<void>;
  keepBefore?: Projection<unknown>["keepBefore"];
};

/** A handler threw: the events it was given are bad data for it, never a reason to stop the worker. */
export class HandlerError extends Error {
  override name = "HandlerError";
}

export function defineProjection<C>(p: Projection<C>): AnyProjection {
  const { handle, apply, ...rest } = p;
  return {
    ...rest,
    project(tx, events) {
      let changes: C;
      try {
        changes = handle(events);
      } catch (cause) {
        return Promise.reject(new HandlerError(`${p.name}: ${(cause as Error)?.message ?? cause}`, { cause }));
      }
      return apply(tx, changes);
    },
  };
}
