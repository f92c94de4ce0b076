/**
 * The projection runner: for each projection, a durable pull consumer feeding batches to `processBatch`, acking
 * only after the batch's transaction committed. A failure (database or NATS down) restarts that projection's loop
 * after a pause, from its checkpoint; bad data never stops it (see process-batch.ts).
 */
import type { ConsumerMessages } from "@nats-io/jetstream";
import { decodeMessage, type JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { Batcher } from "./batcher.ts";
import { ensureCheckpoint, readCheckpoint } from "./checkpoints.ts";
import { durableName, prepareConsumer } from "./consumer.ts";
import type { Db } from "./db/database.ts";
import { type BatchOutcome, processBatch } from "./process-batch.ts";
import type { AnyProjection } from "./projection.ts";

export type RunnerOptions = {
  /** Most messages per batch (and per transaction). Default 1000. */
  batchSize?: number;
  /** Longest wait for a batch to fill once its first message arrived, in ms. Default 50. */
  maxWaitMs?: number;
  /** Pause before a failed projection loop starts again, in ms; a reconnect cuts it short. Default 1000. */
  retryMs?: number;
  onBatch?: (projection: string, outcome: BatchOutcome) => void;
  onError?: (projection: string, err: unknown) => void;
};

type Worker = { projection: AnyProjection; messages?: ConsumerMessages; done?: Promise<void> };

/** Runs projections until `stop()`. One instance per process; each projection must run in one process only. */
export class ProjectionRunner {
  private readonly workers: Worker[];
  private readonly stopping = new AbortController();
  private readonly o: Required<Omit<RunnerOptions, "onBatch" | "onError">> & RunnerOptions;

  private readonly db: Db;
  private readonly log: Pick<JetStreamEventLog, "js" | "jsm" | "onReconnect" | "backOff">;

  constructor(
    db: Db,
    log: Pick<JetStreamEventLog, "js" | "jsm" | "onReconnect" | "backOff">,
    projections: readonly AnyProjection[],
    options: RunnerOptions = {},
  ) {
    this.db = db;
    this.log = log;
    this.workers = projections.map((projection) => ({ projection }));
    this.o = { batchSize: 1000, maxWaitMs: 50, retryMs: 1000, ...options };
  }

  /** Creates missing checkpoints and consumers, then runs every projection in the background. */
  async start(): Promise<void> {
    for (const w of this.workers) await ensureCheckpoint(this.db, w.projection.name);
    for (const w of this.workers) w.done = this.loop(w);
  }

  /** Finishes the batch in hand, stops consuming and resolves when every loop has ended. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const w of this.workers) w.messages?.stop();
    await Promise.all(this.workers.map((w) => w.done));
  }

  private async loop(w: Worker): Promise<void> {
    const p = w.projection;
    // After a reconnect the loop starts again from the checkpoint: left to itself, nats.js waits its pull expiry
    // (15 to 45 s) when the server is back before JetStream is.
    const off = this.log.onReconnect(() => w.messages?.stop());
    while (!this.stopping.signal.aborted) {
      try {
        const checkpoint = await readCheckpoint(this.db, p.name);
        await prepareConsumer(this.log.jsm, p, checkpoint, this.o.batchSize * 4);
        const consumer = await this.log.js.consumers.get(p.stream, durableName(p.name));
        if (this.stopping.signal.aborted) break;
        w.messages = await consumer.consume({ max_messages: this.o.batchSize * 2 });
        const batcher = new Batcher(w.messages);
        for (;;) {
          const batch = await batcher.next(this.o.batchSize, this.o.maxWaitMs);
          // Once stopping, buffered messages stay unacknowledged: the next start delivers them again.
          if (batch === undefined || this.stopping.signal.aborted) break;
          const outcome = await processBatch(this.db, p, batch.map(decodeMessage));
          // The consumer acknowledges all: the last message covers the batch.
          batch.at(-1)?.ack();
          this.o.onBatch?.(p.name, outcome);
        }
      } catch (err) {
        w.messages?.stop();
        if (this.stopping.signal.aborted) break;
        this.o.onError?.(p.name, err);
        await this.log.backOff(this.o.retryMs, this.stopping.signal);
      }
    }
    off();
  }
}
