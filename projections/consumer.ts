/** The durable JetStream pull consumer behind each projection, positioned from the Postgres checkpoint. */
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  JetStreamApiError,
  type JetStreamManager,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import type { AnyProjection } from "./projection.ts";

const CONSUMER_NOT_FOUND = 10014;

export const durableName = (projection: string): string => `projection-${projection}`;

/** Pure: the consumer a projection wants, resuming after `checkpoint`. */
export function consumerConfig(p: AnyProjection, checkpoint: number, maxAckPending: number): Partial<ConsumerConfig> {
  const start =
    checkpoint > 0
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: checkpoint + 1 }
      : { deliver_policy: DeliverPolicy.All };
  const filter =
    p.filter.length === 1 ? { filter_subject: p.filter[0] } : p.filter.length > 1 ? { filter_subjects: p.filter } : {};
  return {
    durable_name: durableName(p.name),
    // A batch commits as a whole, so acknowledging its last message covers the rest: one ack per batch, not per event.
    ack_policy: AckPolicy.All,
    ack_wait: nanos(30_000),
    max_ack_pending: maxAckPending,
    ...start,
    ...filter,
  };
}

/**
 * Pure: whether an existing consumer can simply be resumed. It cannot when it holds unacknowledged messages (the
 * worker died between commit and ack: recreating delivers them now rather than after `ack_wait`), when it was
 * acknowledged past the checkpoint (the database lost writes), or when its filter or acknowledgement settings changed.
 */
export function canResume(info: ConsumerInfo, want: Partial<ConsumerConfig>, checkpoint: number): boolean {
  const filters = (c: Partial<ConsumerConfig>) =>
    [...(c.filter_subjects ?? []), ...(c.filter_subject ? [c.filter_subject] : [])].sort().join(" ");
  return (
    info.num_ack_pending === 0 &&
    info.delivered.stream_seq <= checkpoint &&
    filters(info.config) === filters(want) &&
    info.config.max_ack_pending === want.max_ack_pending &&
    info.config.ack_policy === want.ack_policy
  );
}

/** Makes sure the projection's durable consumer exists and resumes right after the checkpoint. */
export async function prepareConsumer(
  jsm: JetStreamManager,
  p: AnyProjection,
  checkpoint: number,
  maxAckPending: number,
): Promise<void> {
  const want = consumerConfig(p, checkpoint, maxAckPending);
  const name = durableName(p.name);
  const info = await jsm.consumers.info(p.stream, name).catch((err: unknown) => {
    if (err instanceof JetStreamApiError && err.code === CONSUMER_NOT_FOUND) return undefined;
    throw err;
  });
  if (info && canResume(info, want, checkpoint)) return;
  if (info) await jsm.consumers.delete(p.stream, name);
  await jsm.consumers.add(p.stream, want);
}
