/**
 * Device values on their way into the event log, pipelined: values are published without waiting for the
 * acknowledgements of those before them, up to `window` unacknowledged; beyond that they wait their turn in arrival
 * order. Values arriving in one turn of the event loop (the messages of many connections read together) are
 * published together once that turn's input is handled, so they leave in one socket write instead of one write
 * each. Order is kept because values leave in call order on the log's one connection, and each promise resolves
 * only once JetStream acknowledged that value: under load many values share a round trip, and when idle a value
 * is stored alone at once.
 *
 * A value may also be sent without an acknowledgement (`acknowledged: false`, for senders that accept loss, such as
 * MQTT QoS 0): it keeps its place in the order, costs the server and this process far less, and its promise
 * resolves once the server has read it (one round trip shared by every such value of the turn). A failure to store
 * it is then not reported.
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
  acknowledged: boolean;
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
    let unacknowledged: Waiting[] | undefined;
    while (this.head < this.queue.length) {
      const w = this.queue[this.head] as Waiting;
      if (w.acknowledged) {
        if (this.inFlight >= this.window) break;
        this.send(w);
      } else if (this.sendUnacknowledged(w)) {
        unacknowledged ??= [];
        unacknowledged.push(w);
      }
      this.head++;
    }
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
    if (unacknowledged) this.whenRead(unacknowledged);
  };

  constructor(log: EventLog, o: { limits?: AppendLimits; window?: number } = {}) {
    this.log = log;
    this.limits = o.limits;
    this.window = o.window ?? 4096;
  }

  /**
   * Resolves once stored, or with `acknowledged: false` once the server has read it (when the event log can send
   * that way). Throws ValidationError at once when the request is not a valid event.
   */
  append(req: AppendRequest, o: { acknowledged?: boolean } = {}): Promise<unknown> {
    const checked = checkAppend(req, this.limits);
    const acknowledged = o.acknowledged !== false || this.log.appendUnacknowledged === undefined;
    return new Promise((resolve, reject) => {
      this.queue.push({ req, checked, acknowledged, resolve, reject });
      this.schedule();
    });
  }

  /** Sends what waits once the current turn's input is handled (setImmediate runs after the poll phase). */
  private schedule(): void {
    if (this.scheduled) return;
    const next = this.queue[this.head];
    if (next === undefined || (next.acknowledged && this.inFlight >= this.window)) return;
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

  private sendUnacknowledged(w: Waiting): boolean {
    try {
      this.log.appendUnacknowledged?.(w.req, w.checked);
      return true;
    } catch (err) {
      w.reject(err);
      return false;
    }
  }

  /** Settles values sent without acknowledgement once the server has read them. */
  private whenRead(sent: Waiting[]): void {
    const read = this.log.flushed?.() ?? Promise.resolve();
    read.then(
      () => {
        for (const w of sent) w.resolve(undefined);
      },
      (err: unknown) => {
        for (const w of sent) w.reject(err);
      },
    );
  }

  private settled(): void {
    this.inFlight--;
    if (this.head < this.queue.length) this.schedule();
  }
}
