/**
 * Device values on their way into the event log, pipelined: values are published without waiting for the
 * acknowledgements of those before them, up to `window` unacknowledged; beyond that they wait their turn in arrival
 * order. Values arriving in one turn of the event loop (the messages of many connections read together) are
 * published together once that turn's input is handled, so they leave in one socket write instead of one write
 * each. Order is kept because values leave in call order on the log's one connection, and each promise resolves
 * only once JetStream acknowledged that value: under load many values share a round trip, and when idle a value
 * is stored alone at once.
 *
 * Requests are checked one by one as they arrive (a bad one is refused alone, at once, never failing its
 * neighbours); the event log reuses that check when it sends them.
 */
import {
  type AppendLimits,
  type AppendRequest,
  type CheckedAppend,
  checkAppend,
  type EventLog,
} from "../../core/event-log.ts";

type Waiting = {
  req: AppendRequest;
  checked: CheckedAppend;
  resolve(result: unknown): void;
  reject(err: unknown): void;
};

export class AppendPipeline {
  private readonly log: EventLog;
  private readonly limits: AppendLimits | undefined;
  private readonly window: number;
  private queue: Waiting[] = [];
  private head = 0;
  private inFlight = 0;
  private scheduled = false;
  private readonly release = () => {
    this.scheduled = false;
    while (this.inFlight < this.window && this.head < this.queue.length) this.send(this.queue[this.head++] as Waiting);
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
  };

  constructor(log: EventLog, o: { limits?: AppendLimits; window?: number } = {}) {
    this.log = log;
    this.limits = o.limits;
    this.window = o.window ?? 4096;
  }

  /** Resolves once stored. Throws ValidationError at once when the request is not a valid event. */
  append(req: AppendRequest): Promise<unknown> {
    const checked = checkAppend(req, this.limits);
    return new Promise((resolve, reject) => {
      this.queue.push({ req, checked, resolve, reject });
      this.schedule();
    });
  }

  /** Sends what waits once the current turn's input is handled (setImmediate runs after the poll phase). */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.window) return;
    this.scheduled = true;
    setImmediate(this.release);
  }

  private send(w: Waiting): void {
    this.inFlight++;
    let stored: Promise<unknown>;
    try {
      stored = this.log.append(w.req, w.checked);
    } catch (err) {
      stored = Promise.reject(err);
    }
    stored.then(
      (result) => {
        this.settled();
        w.resolve(result);
      },
      (err: unknown) => {
        this.settled();
        w.reject(err);
      },
    );
  }

  private settled(): void {
    this.inFlight--;
    if (this.head < this.queue.length) this.schedule();
  }
}
