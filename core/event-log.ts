/**
 * The event log: the only way facts enter or leave the hub's durable history. This file is pure (types and the
 * checks every append passes); `jetstream-event-log.ts` is the one implementation, over NATS JetStream.
 */
import { Buffer } from "node:buffer";
import type { z } from "zod";
import { ValidationError } from "./errors.ts";
import { catalogue, type EventType, isEventType } from "./messages.ts";
import { parseSubject, type StreamName, streamOfAddress } from "./subjects.ts";

export type AppendRequest = {
  subject: string;
  type: EventType | string;
  data: unknown;
  /** Event id; appending the same id twice (within the dedup window) stores it once. Generated when absent. */
  id?: string;
  /** Who appended it, e.g. `mqtt/device-7` or `bff/user-alice`. */
  source?: string;
  /** The device's own timestamp; kept when sane, otherwise the hub's receive time is used. */
  time?: string | Date;
  /** Optimistic concurrency: the last sequence the caller saw on this subject (0 = subject must be empty). */
  expectedLastSubjectSeq?: number;
  /**
   * With `expectedLastSubjectSeq`: check the last sequence over every subject matching this filter (e.g. all of
   * one device's `provisioning.{device}.*`) instead of the appended subject alone.
   */
  expectedLastSubjectSeqSubject?: string;
};

export type AppendResult = { stream: StreamName; seq: number; id: string; duplicate: boolean };

/** Totals of a bulk append: events processed, the last sequence stored (0 if all were repeats), and the path. */
export type BulkAppendResult = { count: number; lastSeq: number; fastIngest: boolean };

export type LoggedEvent = {
  stream: StreamName;
  seq: number;
  subject: string;
  id: string;
  type: string;
  source: string;
  /** Device time when it gave a sane one, else the hub's receive time (ISO 8601). */
  time: string;
  /** The hub's receive time (ISO 8601). */
  receivedAt: string;
  data: unknown;
};

/** Where a read or watch starts: a stream sequence, a time, or (watch only) the next new event. */
export type From = number | Date | "new";

export type ReadOptions = {
  stream: StreamName;
  /** Subject filters within the stream (wildcards allowed); all of the stream when absent. */
  filter?: string | string[];
  from?: From;
};

export type StreamStats = { stream: StreamName; messages: number; bytes: number; firstSeq: number; lastSeq: number };

export interface EventLog {
  /** `checked`: what `checkAppend(req)` gave, when the caller checked the request already. */
  append(req: AppendRequest, checked?: CheckedAppend): Promise<AppendResult>;
  /**
   * Sends a value without asking for JetStream's acknowledgement (the path of MQTT QoS 0, whose sender accepts
   * loss): checked first, throwing ValidationError; once sent, a failure to store it is not reported back.
   * Conditional appends always need `append`.
   */
  appendUnacknowledged?(req: AppendRequest, checked?: CheckedAppend): void;
  /** Resolves once the server has read everything sent before the call. */
  flushed?(): Promise<void>;
  /** Appends in order; results are in request order. Faster than awaiting `append` one by one. */
  appendMany(reqs: readonly AppendRequest[]): Promise<AppendResult[]>;
  /** For large batches where totals are enough (imports, load): the fastest path the server offers. */
  appendBulk(reqs: readonly AppendRequest[]): Promise<BulkAppendResult>;
  /** Events from `from` (default: the start) up to the stream's head when the call began, then ends. */
  read(opts: ReadOptions): AsyncIterable<LoggedEvent>;
  /** Events from `from` (default: new ones only), live, until `signal` aborts. */
  watch(opts: ReadOptions & { signal?: AbortSignal }): AsyncIterable<LoggedEvent>;
  stats(): Promise<StreamStats[]>;
  close(): Promise<void>;
}

export type AppendLimits = { maxPayloadBytes: number };
export const DEFAULT_LIMITS: AppendLimits = { maxPayloadBytes: 64 * 1024 };

export type CheckedAppend = { stream: StreamName; subject: string; type: EventType; payload: Uint8Array };

export function issuesOf(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join(".") || "(root)", message: i.message }));
}

/**
 * The check of a request that its caller may have checked already (a binding checks each request as it arrives, to
 * refuse it alone, and hands the outcome to the event log with it): the earlier outcome is kept while it is for the
 * same subject and type, with the size limit applied again; otherwise the request is checked afresh.
 */
export function checkAgain(
  req: AppendRequest,
  earlier: CheckedAppend | undefined,
  limits: AppendLimits = DEFAULT_LIMITS,
): CheckedAppend {
  if (earlier === undefined || earlier.subject !== req.subject || earlier.type !== req.type) {
    return checkAppend(req, limits);
  }
  if (earlier.payload.byteLength > limits.maxPayloadBytes) throw tooLarge(earlier.payload, limits);
  return earlier;
}

function tooLarge(payload: Uint8Array, limits: AppendLimits): ValidationError {
  return new ValidationError(`payload is ${payload.byteLength} bytes; the limit is ${limits.maxPayloadBytes}`);
}

/** Checks an append request against the catalogue and the limits, and serialises its payload. */
export function checkAppend(req: AppendRequest, limits: AppendLimits = DEFAULT_LIMITS): CheckedAppend {
  if (!isEventType(req.type)) throw new ValidationError(`unknown event type "${String(req.type).slice(0, 80)}"`);
  const address = parseSubject(req.subject);
  const entry = catalogue[req.type];
  if (address.kind !== entry.kind) {
    throw new ValidationError(`${req.type} does not belong on ${req.subject}`);
  }
  const parsed = entry.data.safeParse(req.data);
  if (!parsed.success) {
    const issues = issuesOf(parsed.error);
    const first = issues[0];
    throw new ValidationError(
      `${req.type} payload is invalid${first ? `: ${first.path}: ${first.message}` : ""}`,
      issues,
    );
  }
  if (address.kind === "td" && (parsed.data as { id: string }).id !== address.thing) {
    throw new ValidationError("the TD's id differs from the Thing in the subject", [
      { path: "id", message: "must equal the Thing id of the subject" },
    ]);
  }
  // Buffer.from takes small payloads from a shared pool: cheaper than TextEncoder, which allocates each one alone.
  const payload: Uint8Array = Buffer.from(JSON.stringify(parsed.data), "utf8");
  if (payload.byteLength > limits.maxPayloadBytes) throw tooLarge(payload, limits);
  const stream = streamOfAddress(address);
  return { stream, subject: req.subject, type: req.type, payload };
}

const MAX_PAST_MS = 366 * 24 * 3600 * 1000;
const MAX_FUTURE_MS = 5 * 60 * 1000;

/** The device's time if it parses and lies within a year before and five minutes after `now`; else `now`. */
export function saneTime(deviceTime: string | Date | undefined, now: Date): Date {
  if (deviceTime === undefined) return now;
  const t = deviceTime instanceof Date ? deviceTime : new Date(deviceTime);
  const ms = t.getTime();
  if (Number.isNaN(ms) || ms < now.getTime() - MAX_PAST_MS || ms > now.getTime() + MAX_FUTURE_MS) return now;
  return t;
}
