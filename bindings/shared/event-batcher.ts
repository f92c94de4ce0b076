/**
 * Group commit of device values into the EVENTS stream. While one batch is being stored, what arrives waits and
 * goes into the next, so under load each server round trip stores many values (the event log's bulk append, the
 * server's fast-ingest batch where it has one) and when idle a value is stored alone at once. Each promise
 * resolves only once its value is stored; order is kept because one batch is in flight at a time.
 *
 * Requests are checked one by one before they join a batch (a bad one is refused alone, never failing its
 * neighbours), and get their event id up front: if a batch fails, its values are retried one by one and the ids
 * make sure nothing is stored twice.
 */
import { type AppendLimits, type AppendRequest, checkAppend, type EventLog } from "../../core/event-log.ts";

type Waiting = { req: AppendRequest; resolve(): void; reject(err: unknown): void };

export class EventBatcher {
  private readonly log: EventLog;
  private readonly limits: AppendLimits | undefined;
  private readonly maxBatch: number;
  private queue: Waiting[] = [];
  private running = false;

  constructor(log: EventLog, o: { limits?: AppendLimits; maxBatch?: number } = {}) {
    this.log = log;
    this.limits = o.limits;
    this.maxBatch = o.maxBatch ?? 2000;
  }

  /** Resolves once stored. Throws ValidationError at once when the request is not a valid event. */
  append(req: AppendRequest): Promise<void> {
    checkAppend(req, this.limits);
    const withId = { ...req, id: req.id ?? crypto.randomUUID() };
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ req: withId, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
        this.queue = this.queue.length <= this.maxBatch ? [] : this.queue.slice(this.maxBatch);
        await this.store(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async store(batch: Waiting[]): Promise<void> {
    try {
      if (batch.length === 1) await this.log.append((batch[0] as Waiting).req);
      else await this.log.appendBulk(batch.map((w) => w.req));
      for (const w of batch) w.resolve();
    } catch {
      const results = await Promise.allSettled(batch.map((w) => this.log.append(w.req)));
      results.forEach((r, i) => {
        const w = batch[i] as Waiting;
        if (r.status === "fulfilled") w.resolve();
        else w.reject(r.reason);
      });
    }
  }
}
