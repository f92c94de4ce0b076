/**
 * Turns a stream of messages into batches: a batch is handed out when it holds `size` messages, or `maxWaitMs`
 * after its first message arrived, whichever comes first. Single reader; order is kept. The messages come from an
 * async iterable, or are handed in with `add` and `end` (cheaper per message: no promise each).
 */
export class Batcher<T> {
  private readonly queue: T[] = [];
  private wake: (() => void) | undefined;
  /** How many queued messages the waiting reader needs before it is woken (the end always wakes it). */
  private wanted = 1;
  private done = false;
  private failure: unknown;

  constructor(source?: AsyncIterable<T>) {
    if (source) void this.pump(source);
  }

  private async pump(source: AsyncIterable<T>): Promise<void> {
    try {
      for await (const item of source) this.add(item);
      this.end();
    } catch (err) {
      this.end(err);
    }
  }

  /** Queues a message; ignored once ended. */
  add(item: T): void {
    if (this.done) return;
    this.queue.push(item);
    if (this.queue.length >= this.wanted) this.signal();
  }

  /** No more messages; with a failure, `next` throws it once the queue is empty. The first call counts. */
  end(failure?: unknown): void {
    if (this.done) return;
    this.done = true;
    if (failure !== undefined) this.failure = failure;
    this.signal();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private wait(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** The next batch; undefined once the source has ended and everything was handed out. */
  async next(size: number, maxWaitMs: number): Promise<T[] | undefined> {
    this.wanted = 1;
    while (this.queue.length === 0 && !this.done) await this.wait();
    if (this.failure !== undefined && this.queue.length === 0) throw this.failure;
    const deadline = Date.now() + maxWaitMs;
    this.wanted = size;
    while (this.queue.length < size && !this.done && Date.now() < deadline) await this.wait(deadline - Date.now());
    this.wanted = 1;
    if (this.queue.length === 0) return undefined;
    return this.queue.splice(0, size);
  }

  /** Whether the source has ended (messages may still be queued). */
  get ended(): boolean {
    return this.done;
  }

  /** Messages received and not yet handed out. */
  get buffered(): number {
    return this.queue.length;
  }
}
