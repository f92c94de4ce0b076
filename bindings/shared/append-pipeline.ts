/**
 * Device values on their way into the event log, pipelined: each value is published as it arrives, without waiting
 * for the acknowledgements of those before it, up to `window` unacknowledged; beyond that values wait their turn
 * in arrival order. Order is kept because values leave in call order on the log's one connection, and each
 * promise resolves only once JetStream acknowledged that value, so under load many values share a round trip and
 * when idle a value is stored alone at once.
 *
 * Requests are checked one by one as they arrive (a bad one is refused alone, at once, never failing its
 * neighbours); the event log reuses that check when it sends them.
 */
import { type AppendLimits, type AppendRequest, checkAppend, type EventLog } from "../../core/event-log.ts";

type Waiting = { req: AppendRequest; resolve(result: unknown): void; reject(err: unknown): void };

export class AppendPipeline {
  private readonly log: EventLog;
  private readonly limits: AppendLimits | undefined;
  private readonly window: number;
  private queue: Waiting[] = [];
  private head = 0;
  private inFlight = 0;
  private readonly settled = () => {
    this.inFlight--;
    this.release();
  };

  constructor(log: EventLog, o: { limits?: AppendLimits; window?: number } = {}) {
    this.log = log;
    this.limits = o.limits;
    this.window = o.window ?? 4096;
  }

  /** Resolves once stored. Throws ValidationError at once when the request is not a valid event. */
  append(req: AppendRequest): Promise<unknown> {
    checkAppend(req, this.limits);
    if (this.inFlight < this.window && this.head === this.queue.length) return this.send(req);
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
    });
  }

  private send(req: AppendRequest): Promise<unknown> {
    this.inFlight++;
    const stored = this.log.append(req);
    stored.then(this.settled, this.settled);
    return stored;
  }

  /** Sends waiting values, oldest first, while the window has room. */
  private release(): void {
    while (this.inFlight < this.window && this.head < this.queue.length) {
      const w = this.queue[this.head++] as Waiting;
      this.send(w.req).then(w.resolve, w.reject);
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
  }
}
