/**
 * Pipelined acknowledged publishing into JetStream, part of the event-log adapter. Each message goes out as a
 * core publish whose reply subject is one token under a private inbox; one subscription receives every
 * acknowledgement and settles the matching promise. Compared with a request per message this needs no per-message
 * subscription or timer, so many publishes can be in flight cheaply. Order: messages leave in call order on one
 * connection, so the server stores them in that order.
 */
import type { MsgHdrs, NatsConnection, Subscription } from "@nats-io/nats-core";
import { createInbox } from "@nats-io/nats-core";
import { UnavailableError } from "./errors.ts";

export type PubAck = { stream: string; seq: number; duplicate: boolean };

/** A JetStream API error carried in an acknowledgement (e.g. 10071 wrong last sequence). */
export class JetStreamPublishError extends Error {
  override name = "JetStreamPublishError";
  readonly code: number;
  constructor(code: number, description: string) {
    super(description);
    this.code = code;
  }
}

type Waiter = { resolve(ack: PubAck): void; reject(err: Error): void; at: number };

export class JetStreamPublisher {
  private readonly nc: NatsConnection;
  private readonly inbox = createInbox();
  private readonly waiters = new Map<number, Waiter>();
  private readonly sub: Subscription;
  private readonly sweeper: ReturnType<typeof setInterval>;
  private next = 1;
  private readonly timeoutMs: number;
  private readonly decoder = new TextDecoder();

  constructor(nc: NatsConnection, timeoutMs = 10_000) {
    this.nc = nc;
    this.timeoutMs = timeoutMs;
    this.sub = nc.subscribe(`${this.inbox}.*`, {
      callback: (err, msg) => {
        if (!err) this.settle(msg.subject, msg.data);
      },
    });
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, timeoutMs));
    this.sweeper.unref?.();
  }

  publish(subject: string, payload: Uint8Array, headers: MsgHdrs): Promise<PubAck> {
    const id = this.next++;
    return new Promise<PubAck>((resolve, reject) => {
      this.waiters.set(id, { resolve, reject, at: Date.now() });
      try {
        this.nc.publish(subject, payload, { reply: `${this.inbox}.${id}`, headers });
      } catch (err) {
        this.waiters.delete(id);
        reject(err as Error);
      }
    });
  }

  private settle(replySubject: string, data: Uint8Array): void {
    const id = Number(replySubject.slice(this.inbox.length + 1));
    const waiter = this.waiters.get(id);
    if (!waiter) return;
    this.waiters.delete(id);
    let ack: {
      stream?: string;
      seq?: number;
      duplicate?: boolean;
      error?: { code?: number; err_code?: number; description?: string };
    };
    try {
      ack = JSON.parse(this.decoder.decode(data));
    } catch {
      waiter.reject(new UnavailableError("JetStream sent an unreadable acknowledgement"));
      return;
    }
    if (ack.error) {
      waiter.reject(new JetStreamPublishError(ack.error.err_code ?? ack.error.code ?? 0, ack.error.description ?? ""));
    } else if (typeof ack.seq === "number" && typeof ack.stream === "string") {
      waiter.resolve({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate === true });
    } else {
      waiter.reject(new UnavailableError("no stream acknowledged the message"));
    }
  }

  private sweep(): void {
    const limit = Date.now() - this.timeoutMs;
    for (const [id, w] of this.waiters) {
      if (w.at > limit) break; // insertion order = age order
      this.waiters.delete(id);
      w.reject(new UnavailableError(`JetStream did not acknowledge within ${this.timeoutMs} ms`));
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    this.sub.unsubscribe();
    for (const w of this.waiters.values()) w.reject(new UnavailableError("the event log was closed"));
    this.waiters.clear();
  }
}
