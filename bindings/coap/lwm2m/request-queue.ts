/**
 * Requests waiting for a device. A client in queue mode listens only for a while after it last spoke: requests
 * for it wait here and go out one at a time while it is awake. Clients in plain U mode get theirs at once.
 * Requests for an endpoint that is not registered wait for its next registration when the caller allows it.
 */
import { NotFoundError } from "../../../core/errors.ts";
import type { Registration } from "./registrations.ts";

type Task = {
  run: (r: Registration) => Promise<void>;
  /** ms since the epoch after which the task is dropped unsent. */
  expiresAt?: number;
  expire: () => void;
  fail: (err: Error) => void;
};

export type QueueOptions = {
  now: () => number;
  registration: (endpoint: string) => Registration | undefined;
};

export class RequestQueue {
  readonly #o: QueueOptions;
  readonly #pending = new Map<string, Task[]>();
  readonly #busy = new Set<string>();

  constructor(o: QueueOptions) {
    this.#o = o;
  }

  /** The endpoint's current registration. */
  registrationOf(endpoint: string): Registration | undefined {
    return this.#o.registration(endpoint);
  }

  /** How many requests wait for the endpoint. */
  waiting(endpoint: string): number {
    return this.#pending.get(endpoint)?.length ?? 0;
  }

  /**
   * Runs `fn` against the endpoint's registration now, or when it is next awake. Rejects NotFoundError when the
   * endpoint is not registered and `whenOffline` is "fail", and with `onExpire`'s error when `expiresAt` passes.
   */
  perform<T>(
    endpoint: string,
    fn: (r: Registration) => Promise<T>,
    o: { whenOffline: "fail" | "wait"; expiresAt?: number; onExpire?: () => Error } = { whenOffline: "fail" },
  ): Promise<T> {
    const reg = this.#o.registration(endpoint);
    if (!reg && o.whenOffline === "fail") return Promise.reject(new NotFoundError(`${endpoint} is not registered`));
    if (reg && !reg.queueMode) return fn(reg);
    return new Promise<T>((resolve, reject) => {
      const task: Task = {
        run: (r) => fn(r).then(resolve, reject),
        expire: () => reject(o.onExpire?.() ?? new NotFoundError("the request expired before the device woke up")),
        fail: reject,
        ...(o.expiresAt !== undefined ? { expiresAt: o.expiresAt } : {}),
      };
      const list = this.#pending.get(endpoint) ?? [];
      list.push(task);
      this.#pending.set(endpoint, list);
      this.pump(endpoint);
    });
  }

  /** Sends what waits for the endpoint while it is registered and awake. Call when it wakes or registers. */
  pump(endpoint: string): void {
    if (this.#busy.has(endpoint)) return;
    const list = this.#pending.get(endpoint);
    if (!list?.length) return;
    const reg = this.#o.registration(endpoint);
    const now = this.#o.now();
    while (list[0]?.expiresAt !== undefined && list[0].expiresAt <= now) list.shift()?.expire();
    const task = list[0];
    if (!task || !reg || (reg.queueMode && now >= reg.awakeUntil)) return;
    list.shift();
    if (list.length === 0) this.#pending.delete(endpoint);
    this.#busy.add(endpoint);
    void task.run(reg).finally(() => {
      this.#busy.delete(endpoint);
      this.pump(endpoint);
    });
  }

  /** Drops expired tasks everywhere (called by the server's periodic sweep). */
  sweep(): void {
    const now = this.#o.now();
    for (const [endpoint, list] of this.#pending) {
      const keep = list.filter((t) => t.expiresAt === undefined || t.expiresAt > now);
      for (const t of list) if (!keep.includes(t)) t.expire();
      if (keep.length) this.#pending.set(endpoint, keep);
      else this.#pending.delete(endpoint);
    }
  }

  /** Rejects everything waiting (on stop). */
  clear(err: Error): void {
    const lists = [...this.#pending.values()];
    this.#pending.clear();
    for (const list of lists) for (const t of list) t.fail(err);
  }
}
