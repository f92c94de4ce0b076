/**
 * Delivers action requests to devices, for every binding. A binding attaches a channel while a device is reachable
 * (an MQTT connection with an action subscription, an HTTP long-poll, an awake LwM2M client) and detaches it when
 * it is not. The dispatcher delivers waiting actions in request order, records Queued, Delivered and Expired, and
 * never delivers an expired action. Its state is the ACTIONS stream (read at start, then watched), so queues
 * survive a restart of any worker and of nats-server.
 *
 * Several dispatchers (one per binding instance) may run at once: each delivers only to channels attached to it;
 * every step appended has an id derived from the action and the state, so two instances recording the same step
 * store it once.
 */
import { NotFoundError, ValidationError } from "../../core/errors.ts";
import type { EventLog, LoggedEvent } from "../../core/event-log.ts";
import type { Logger } from "../../core/log.ts";
import { type ActionState, subjects } from "../../core/subjects.ts";
import { deviceSource } from "../shared/device-facts.ts";
import { type ActionEntry, applyActionEvent, expiresAt, isFinal, isWaiting, supersededWrites } from "./action-book.ts";

/** What a device receives: the payload of an MQTT action message, one element of a long-poll answer. */
export type PendingAction = {
  actionId: string;
  thing: string;
  name: string;
  input?: unknown;
  requestedAt: string;
  expiresAt?: string;
};

/** A way to reach a device right now. */
export interface ActionChannel {
  /** Recorded in ActionDelivered (`mqtt`, `http`, `coap`). */
  readonly via: string;
  /** Whether this channel can carry the action (e.g. the MQTT client subscribed to its topic). Default: yes. */
  accepts?(action: PendingAction): boolean;
  /**
   * Sends the actions in order and resolves to how many of them, from the first, the transport acknowledged.
   * Rejecting counts as none.
   */
  deliver(actions: readonly PendingAction[]): Promise<number>;
}

export type DeliveryPolicy = {
  /** `all`: every waiting action at once, in request order. `ordered`: one at a time, the next after a reply. */
  mode: "all" | "ordered";
  /** Time to live of requests that name none, in milliseconds; none: they wait for ever. */
  defaultTtlMs?: number;
  /** Deliver only the latest of several waiting writes of the same property; the others are cancelled. */
  mergePropertyWrites?: boolean;
};

export const DEFAULT_POLICY: DeliveryPolicy = { mode: "all" };

/** A device's reply to an action. */
export type ActionReply =
  | { actionId: string; status: "completed"; output?: unknown }
  | { actionId: string; status: "failed"; error: string };

export type ActionDispatcherOptions = {
  log: EventLog;
  /** The device that holds a Thing (its actions go there). */
  ownerOf: (thing: string) => string | undefined;
  logger: Logger;
  policy?: (device: string) => DeliveryPolicy;
  /** How long a request for a device not reachable here waits before it is recorded as queued. Default 250 ms. */
  queueGraceMs?: number;
  /** How often expiry is checked. Default 250 ms. */
  sweepMs?: number;
  /** In `ordered` mode, how long to wait for a reply before delivering the next action anyway. Default 60 s. */
  replyTimeoutMs?: number;
};

/** Step failures are logged where they happen; callers that cannot act on them drop them here. */
const ignore = () => {};

export class ActionDispatcher {
  private readonly o: Required<Omit<ActionDispatcherOptions, "policy">> & Pick<ActionDispatcherOptions, "policy">;
  private readonly book = new Map<string, ActionEntry>();
  /** Actions neither delivered nor final, by id. */
  private readonly waiting = new Map<string, ActionEntry>();
  /** Delivered, not yet answered: when (ms), for `ordered` mode. */
  private readonly deliveredAt = new Map<string, number>();
  private readonly channels = new Map<string, ActionChannel[]>();
  private readonly flushing = new Map<string, { again: boolean; done: Promise<void> }>();
  private readonly controller = new AbortController();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private watching: Promise<void> | undefined;
  private lastSeq = 0;

  private constructor(o: ActionDispatcherOptions) {
    this.o = { queueGraceMs: 250, sweepMs: 250, replyTimeoutMs: 60_000, ...o };
  }

  /** Reads the ACTIONS stream, then watches it; queues what waits for an unreachable device. */
  static async open(o: ActionDispatcherOptions): Promise<ActionDispatcher> {
    const d = new ActionDispatcher(o);
    for await (const e of o.log.read({ stream: "ACTIONS" })) d.record(e);
    for (const entry of d.waiting.values()) d.requested(entry);
    d.watching = d.watch();
    d.sweeper = setInterval(() => d.sweep(), d.o.sweepMs);
    d.sweeper.unref?.();
    return d;
  }

  /** Follows the stream; when the watch fails (e.g. nats-server restarts) it resumes after the last event seen. */
  private async watch(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      try {
        for await (const e of this.o.log.watch({ stream: "ACTIONS", from: this.lastSeq + 1, signal })) {
          const entry = this.record(e);
          if (!entry) continue;
          if (entry.state === "requested") this.requested(entry);
          else if (isFinal(entry.state)) {
            const device = this.o.ownerOf(entry.thing);
            if (device) this.flush(device);
          }
        }
      } catch (err) {
        if (signal.aborted) return;
        this.o.logger.warn("watching actions failed; resuming", { err });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private policy(device: string | undefined): DeliveryPolicy {
    return (device && this.o.policy?.(device)) || DEFAULT_POLICY;
  }

  /** Applies a stream event (in stream order); returns the entry when it changed. */
  private record(e: LoggedEvent): ActionEntry | undefined {
    if (e.seq <= this.lastSeq) return undefined;
    this.lastSeq = e.seq;
    const entry = applyActionEvent(this.book, e);
    if (entry) this.store(entry);
    return entry;
  }

  private store(entry: ActionEntry): void {
    this.book.set(entry.actionId, entry);
    if (isWaiting(entry.state)) this.waiting.set(entry.actionId, entry);
    else this.waiting.delete(entry.actionId);
    if (entry.state === "delivered") this.deliveredAt.set(entry.actionId, Date.now());
    else this.deliveredAt.delete(entry.actionId);
  }

  /**
   * A new request: deliver it now if its device is reachable here. Whatever is still undelivered after a grace
   * (the device is away, or reachable elsewhere and that instance has not delivered it) is recorded as queued.
   */
  private requested(entry: ActionEntry): void {
    const device = this.o.ownerOf(entry.thing);
    if (device && this.channels.get(device)?.length) this.flush(device);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const now = this.book.get(entry.actionId);
      if (now?.state === "requested" && !this.expired(now)) {
        this.step(now, "queued", "spokes.ActionQueued", {}).catch(ignore);
      }
    }, this.o.queueGraceMs);
    this.timers.add(timer);
  }

  /** Makes `device` reachable through `channel` (the latest attached is used first). Returns the detach. */
  attach(device: string, channel: ActionChannel): () => void {
    const list = this.channels.get(device) ?? [];
    list.unshift(channel);
    this.channels.set(device, list);
    this.flush(device);
    return () => {
      const now = (this.channels.get(device) ?? []).filter((c) => c !== channel);
      if (now.length) this.channels.set(device, now);
      else this.channels.delete(device);
    };
  }

  /** Tells the dispatcher a channel of `device` accepts more than before (e.g. a new subscription). */
  wake(device: string): void {
    if (this.channels.get(device)?.length) this.flush(device);
  }

  /** The device's waiting actions in request order (expired ones left out). */
  pendingFor(device: string): PendingAction[] {
    return this.waitingFor(device)
      .filter((e) => !this.expired(e))
      .map((e) => this.view(e));
  }

  /**
   * Records a device's reply: ActionCompleted or ActionFailed. A repeated reply is accepted and stored once. A reply
   * proves delivery: when it overtakes the transport's acknowledgement (a device may answer before its PUBACK has
   * been processed here), ActionDelivered is recorded first, so the lifecycle never skips that step.
   */
  async report(device: string, reply: ActionReply, via?: string): Promise<void> {
    const entry = this.book.get(reply.actionId);
    if (!entry || this.o.ownerOf(entry.thing) !== device) {
      throw new NotFoundError(`no action "${reply.actionId.slice(0, 80)}" for this device`);
    }
    if (isFinal(entry.state) && entry.state !== reply.status) {
      throw new ValidationError(`the action is already ${entry.state}`, [
        { path: "actionId", message: `already ${entry.state}` },
      ]);
    }
    if (!isFinal(entry.state) && entry.state !== "delivered") {
      await this.step(entry, "delivered", "spokes.ActionDelivered", via ? { via } : {}, device);
    }
    if (reply.status === "completed") {
      await this.step(entry, "completed", "spokes.ActionCompleted", { output: reply.output }, device);
    } else {
      await this.step(entry, "failed", "spokes.ActionFailed", { error: reply.error.slice(0, 2000) }, device);
    }
  }

  private waitingFor(device: string): ActionEntry[] {
    const out: ActionEntry[] = [];
    for (const e of this.waiting.values()) if (this.o.ownerOf(e.thing) === device) out.push(e);
    return out.sort((a, b) => a.seq - b.seq);
  }

  private view(e: ActionEntry): PendingAction {
    const until = expiresAt(e, this.policy(this.o.ownerOf(e.thing)).defaultTtlMs);
    return {
      actionId: e.actionId,
      thing: e.thing,
      name: e.name,
      ...(e.input === undefined ? {} : { input: e.input }),
      requestedAt: e.requestedAt,
      ...(until ? { expiresAt: until } : {}),
    };
  }

  private expired(e: ActionEntry, now = Date.now()): boolean {
    const until = expiresAt(e, this.policy(this.o.ownerOf(e.thing)).defaultTtlMs);
    return until !== undefined && Date.parse(until) <= now;
  }

  private sweep(): void {
    const now = Date.now();
    for (const e of this.waiting.values()) {
      if (this.expired(e, now)) this.step(e, "expired", "spokes.ActionExpired", {}).catch(ignore);
    }
    // In ordered mode a reply that never came stops holding back the next action after `replyTimeoutMs`.
    for (const device of this.channels.keys()) if (this.policy(device).mode === "ordered") this.flush(device);
  }

  /**
   * Appends one lifecycle step with an id derived from the action and the state, and moves the local state at
   * once so nothing is delivered twice while the append is on its way.
   */
  private async step(
    e: ActionEntry,
    state: ActionState,
    type: string,
    extra: Record<string, unknown>,
    device = this.o.ownerOf(e.thing),
  ): Promise<void> {
    const current = this.book.get(e.actionId) ?? e;
    if (state !== "completed" && state !== "failed" && (isFinal(current.state) || current.state === state)) return;
    if (!isFinal(current.state)) this.store({ ...current, state });
    try {
      await this.o.log.append({
        subject: subjects.actionState(e.actionId, state),
        type,
        id: `${e.actionId}:${state}`,
        source: device ? deviceSource(device) : "spokes/actions",
        data: { thing: e.thing, name: e.name, at: new Date().toISOString(), ...extra },
      });
    } catch (err) {
      this.o.logger.warn("action step not recorded", { actionId: e.actionId, state, err });
      throw err;
    }
  }

  /** Delivers what waits for `device`; runs at most once at a time per device, again if asked meanwhile. */
  private flush(device: string): void {
    const running = this.flushing.get(device);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: false, done: Promise.resolve() };
    this.flushing.set(device, state);
    state.done = (async () => {
      try {
        do {
          state.again = false;
          await this.deliverWaiting(device);
        } while (state.again);
      } catch (err) {
        this.o.logger.warn("delivering actions failed", { device, err });
      } finally {
        this.flushing.delete(device);
      }
    })();
  }

  private async deliverWaiting(device: string): Promise<void> {
    for (;;) {
      const channel = this.channels.get(device)?.[0];
      if (!channel) return;
      const policy = this.policy(device);
      const live: ActionEntry[] = [];
      for (const e of this.waitingFor(device)) {
        if (this.expired(e)) await this.step(e, "expired", "spokes.ActionExpired", {});
        else live.push(e);
      }
      let deliverable = live;
      if (policy.mergePropertyWrites) {
        const superseded = supersededWrites(live);
        for (const s of superseded) await this.step(s.entry, "cancelled", "spokes.ActionCancelled", { by: s.by });
        const gone = new Set(superseded.map((s) => s.entry));
        deliverable = live.filter((e) => !gone.has(e));
      }
      let views = deliverable.map((e) => this.view(e));
      if (channel.accepts) views = views.filter((v) => channel.accepts?.(v));
      if (views.length === 0) return;
      if (policy.mode === "ordered") {
        if (this.awaitingReply(device)) return;
        views = views.slice(0, 1);
      }
      let acknowledged = 0;
      try {
        acknowledged = await channel.deliver(views);
      } catch (err) {
        this.o.logger.debug("a channel failed while delivering", { device, err });
      }
      for (const v of views.slice(0, acknowledged)) {
        const e = this.book.get(v.actionId);
        if (e) await this.step(e, "delivered", "spokes.ActionDelivered", { via: channel.via }, device);
      }
      if (acknowledged < views.length || policy.mode === "ordered") return;
    }
  }

  private awaitingReply(device: string): boolean {
    const limit = Date.now() - this.o.replyTimeoutMs;
    for (const [id, at] of this.deliveredAt) {
      const e = this.book.get(id);
      if (e && at > limit && this.o.ownerOf(e.thing) === device) return true;
    }
    return false;
  }

  async close(): Promise<void> {
    this.controller.abort();
    if (this.sweeper) clearInterval(this.sweeper);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([...this.flushing.values()].map((f) => f.done));
    await this.watching;
  }
}
