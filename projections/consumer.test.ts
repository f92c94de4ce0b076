import type { ConsumerInfo } from "@nats-io/jetstream";
import { describe, expect, it } from "vitest";
import { canResume, consumerConfig } from "./consumer.ts";
import { arrayLiteral } from "./db/bulk-insert.ts";
import { indexDefIn } from "./db/shadow-tables.ts";
import { history } from "./history/projection.ts";
import { lagOf, statusMetrics } from "./status.ts";

const info = (o: { pending: number; delivered: number; maxAckPending?: number; ackPolicy?: string }) =>
  ({
    num_ack_pending: o.pending,
    delivered: { stream_seq: o.delivered, consumer_seq: o.delivered },
    config: { max_ack_pending: o.maxAckPending ?? 4000, ack_policy: o.ackPolicy ?? "all" },
  }) as unknown as ConsumerInfo;

describe("the projection's consumer", () => {
  it("starts from the beginning without a checkpoint, and right after it with one", () => {
    expect(consumerConfig(history, 0, 4000)).toMatchObject({
      durable_name: "projection-history",
      deliver_policy: "all",
    });
    expect(consumerConfig(history, 41, 4000)).toMatchObject({ deliver_policy: "by_start_sequence", opt_start_seq: 42 });
  });

  it.each([
    ["clean, at the checkpoint", { pending: 0, delivered: 100 }, 100, true],
    ["behind the checkpoint (a replay moved it on)", { pending: 0, delivered: 90 }, 100, true],
    ["holding unacknowledged messages (killed between commit and ack)", { pending: 7, delivered: 107 }, 100, false],
    ["acknowledged past the checkpoint (the database lost writes)", { pending: 0, delivered: 120 }, 100, false],
    ["configured with another ack window", { pending: 0, delivered: 100, maxAckPending: 10 }, 100, false],
    [
      "acknowledging each message (made by an older version)",
      { pending: 0, delivered: 100, ackPolicy: "explicit" },
      100,
      false,
    ],
  ])("is resumed when %s: %s", (_, state, checkpoint, resumable) => {
    expect(canResume(info(state), consumerConfig(history, checkpoint, 4000), checkpoint)).toBe(resumable);
  });
});

describe("small pure helpers", () => {
  it("computes lag, never below zero", () => {
    expect([lagOf(10, 4), lagOf(4, 4), lagOf(0, 3)]).toEqual([6, 0, 0]);
  });

  it("writes the statuses as Prometheus gauges", () => {
    const text = statusMetrics([{ name: "history", stream: "EVENTS", checkpoint: 7, head: 10, lag: 3, poison: 1 }]);
    expect(text).toContain('spokes_projection_lag{projection="history",stream="EVENTS"} 3\n');
    expect(text).toContain('spokes_projection_poison{projection="history",stream="EVENTS"} 1\n');
  });

  it("moves an index definition to the shadow schema", () => {
    const def = 'CREATE INDEX history_values_time_idx ON public.history_values USING btree ("time")';
    expect(indexDefIn(def, "replay_history", "history_values")).toBe(
      'CREATE INDEX history_values_time_idx ON "replay_history"."history_values" USING btree ("time")',
    );
  });

  it.each([
    [[1, 2], '{"1","2"}'],
    [['a"b', "c\\d", null, "NULL", ""], '{"a\\"b","c\\\\d",NULL,"NULL",""}'],
    [[], "{}"],
  ])("writes %j as the array literal %s", (values, literal) => {
    expect(arrayLiteral(values)).toBe(literal);
  });
});
