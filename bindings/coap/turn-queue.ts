/**
 * Runs the calls made during one turn of the event loop together, in call order, once the turn's I/O is handled.
 * Each CoAP datagram is handled in its own callback and nats.js writes what a callback published in one socket
 * write, so appends made datagram by datagram each pay a write; run together here, the appends of every datagram
 * read in one turn leave in one write.
 */
type Call = { run(): Promise<unknown>; resolve(value: unknown): void; reject(err: unknown): void };

export class TurnQueue {
  #calls: Call[] = [];
  readonly #flush = () => {
    const calls = this.#calls;
    this.#calls = [];
    for (const c of calls) {
      try {
        c.run().then(c.resolve, c.reject);
      } catch (err) {
        c.reject(err);
      }
    }
  };

  /** Calls `run` at the end of this turn (after calls queued before it) and settles as its promise does. */
  defer<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.#calls.length === 0) setImmediate(this.#flush);
      this.#calls.push({ run, resolve: resolve as (value: unknown) => void, reject });
    });
  }
}
