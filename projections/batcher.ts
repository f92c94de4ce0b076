/**
 * Turns a stream of messages into batches: a batch is handed out when it holds `size` messages, or `maxWaitMs`
 * after its first message arrived, whichever comes first. Single reader; order is kept.
 */
export class Batcher<T> {
  private readonly queue: T[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private failure: unknown;

  constructor(source: AsyncIterable<T>) {
    this.pump(source).catch((err: unknown) => {
      this.failure = err;
    });
  }

  private async pump(source: AsyncIterable<T>): Promise<void> {
    try {
      for await (const item of source) {
        this.queue.push(item);
        this.signal();
      }
    } finally {
      this.ended = true;
      this.signal();
    }
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
    while (this.queue.length === 0 && !this.ended) await this.wait();
    if (this.failure !== undefined && this.queue.length === 0) throw this.failure;
    const deadline = Date.now() + maxWaitMs;
    while (this.queue.length < size && !this.ended && Date.now() < deadline) await this.wait(deadline - Date.now());
    if (this.queue.length === 0) return undefined;
    return this.queue.splice(0, size);
  }

  /** Messages received and not yet handed out. */
  get buffered(): number {
    return this.queue.length;
  }
}
