/** For tests and benchmarks of the live path without a server. */
import type { AppendResult, BulkAppendResult, EventLog, LoggedEvent, StreamStats } from "../../core/event-log.ts";

/**
 * The live tail of one stream held in memory: `emit` hands an event to the watch the feed holds. Only what the
 * live tail needs (stats and watch) is here; the rest throws, as the tests never append or replay through it.
 */
export class MemoryTail implements EventLog {
  private readonly queued: LoggedEvent[] = [];
  private lastSeq = 0;
  private wake: (() => void) | undefined;

  emit(subject: string): LoggedEvent {
    const seq = ++this.lastSeq;
    const time = new Date(0).toISOString();
    const e = { stream: "EVENTS" as const, seq, subject, id: `e${seq}`, type: "spokes.EventEmitted", source: "test" };
    this.queued.push({ ...e, time, receivedAt: time, data: { seq } });
    this.ring();
    return this.queued.at(-1) as LoggedEvent;
  }
  private ring(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
  async stats(): Promise<StreamStats[]> {
    return [{ stream: "EVENTS", messages: this.lastSeq, bytes: 0, firstSeq: 1, lastSeq: this.lastSeq }];
  }
  async *watch(opts: { signal?: AbortSignal }): AsyncIterable<LoggedEvent> {
    opts.signal?.addEventListener("abort", () => this.ring(), { once: true });
    while (!opts.signal?.aborted) {
      const e = this.queued.shift();
      if (e) yield e;
      else await new Promise<void>((r) => (this.wake = r));
    }
  }
  read(): AsyncIterable<LoggedEvent> {
    throw new Error("the memory tail holds no history");
  }
  append(): Promise<AppendResult> {
    throw new Error("the memory tail takes events through emit");
  }
  appendMany(): Promise<AppendResult[]> {
    throw new Error("the memory tail takes events through emit");
  }
  appendBulk(): Promise<BulkAppendResult> {
    throw new Error("the memory tail takes events through emit");
  }
  async close(): Promise<void> {}
}
