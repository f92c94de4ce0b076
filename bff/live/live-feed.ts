/**
 * One shared watch per stream, fanned out in process. A BFF with a hundred subscribers to a stream holds one
 * JetStream consumer for it, not a hundred: each event is fetched and decoded once, then handed to the listeners
 * whose subject filters match it. Listeners are found by the subject's second token (the Thing, device or action
 * id), so an event costs a map lookup, not a scan of every listener.
 *
 * Ordering contract: a listener receives, in stream order, every event with a sequence above the `position` it was
 * given when it subscribed; it may then read older events from the log itself (replay) and cut at that position.
 */
import { UnavailableError } from "../../core/errors.ts";
import type { EventLog, LoggedEvent } from "../../core/event-log.ts";
import { type StreamName, subjectMatches } from "../../core/subjects.ts";

export type FeedListener = {
  /** Called synchronously for each matching event, in stream order. Must not throw. */
  event(e: LoggedEvent): void;
  /** The shared watch failed; no more events will come to this listener. */
  failed(err: unknown): void;
};

export type FeedSubscription = {
  /** Every event with a higher sequence goes to the listener; this one and older ones do not. */
  position: number;
  unsubscribe(): void;
};

type Entry = { patterns: readonly string[] | undefined; listener: FeedListener };

/** The second token of a subject or pattern: the id it is about, or undefined for a wildcard. */
function keyOf(subject: string): string | undefined {
  const start = subject.indexOf(".") + 1;
  if (start === 0) return undefined;
  const end = subject.indexOf(".", start);
  const token = end < 0 ? subject.slice(start) : subject.slice(start, end);
  return token === "*" || token === ">" ? undefined : token;
}

/** The index key shared by every pattern, or undefined when they name different ids or a wildcard. */
function commonKey(patterns: readonly string[] | undefined): string | undefined {
  if (!patterns?.length) return undefined;
  const first = keyOf(patterns[0] as string);
  return first !== undefined && patterns.every((p) => keyOf(p) === first) ? first : undefined;
}

/** The shared watch: `ready` once its start position is known. */
type Running = { controller: AbortController; ready: Promise<void>; started: boolean };

/** How long a feed with no listeners keeps its consumer, in case another subscriber comes right away. */
const IDLE_MS = 10_000;

export class LiveFeed {
  private readonly log: EventLog;
  private readonly stream: StreamName;
  private readonly byKey = new Map<string, Set<Entry>>();
  private readonly anyKey = new Set<Entry>();
  private count = 0;
  private running: Running | undefined;
  private position = 0;
  private idle: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(log: EventLog, stream: StreamName) {
    this.log = log;
    this.stream = stream;
  }

  /** Listeners that receive every new event now (none while the feed is still starting). */
  get listeners(): number {
    return this.running?.started ? this.count : 0;
  }

  /** Adds a listener for events on subjects matching any of `patterns` (every subject when absent or empty). */
  async subscribe(patterns: readonly string[] | undefined, listener: FeedListener): Promise<FeedSubscription> {
    if (this.closed) throw new UnavailableError("the server is shutting down");
    if (this.idle) clearTimeout(this.idle);
    this.idle = undefined;
    this.running ??= this.start();
    const entry: Entry = { patterns: patterns?.length ? patterns : undefined, listener };
    const key = commonKey(entry.patterns);
    const set = key === undefined ? this.anyKey : (this.byKey.get(key) ?? new Set<Entry>());
    if (key !== undefined) this.byKey.set(key, set);
    set.add(entry);
    this.count++;
    try {
      await this.running.ready;
    } catch (err) {
      this.remove(set, key, entry);
      throw err;
    }
    // Every event above this position reaches the listener. One dispatched while `ready` was awaited may reach it
    // too and lie at or below the position; readers that replay cut by sequence and skip it.
    return { position: this.position, unsubscribe: () => this.remove(set, key, entry) };
  }

  private remove(set: Set<Entry>, key: string | undefined, entry: Entry): void {
    if (!set.delete(entry)) return;
    this.count--;
    if (key !== undefined && set.size === 0) this.byKey.delete(key);
    if (this.count === 0 && this.running && !this.idle) {
      this.idle = setTimeout(() => this.stop(), IDLE_MS);
      this.idle.unref?.();
    }
  }

  private start(): Running {
    let started!: () => void;
    let refused!: (err: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      refused = reject;
    });
    // Callers await `ready`; a failure before it is theirs to see, so the loop's own promise never rejects.
    ready.catch(() => {});
    const running: Running = { controller: new AbortController(), ready, started: false };
    const { signal } = running.controller;
    const run = async () => {
      const head = (await this.log.stats()).find((s) => s.stream === this.stream)?.lastSeq ?? 0;
      this.position = head;
      running.started = true;
      started();
      for await (const e of this.log.watch({ stream: this.stream, from: head + 1, signal })) {
        this.position = e.seq;
        this.dispatch(e);
      }
      if (!signal.aborted) throw new UnavailableError(`the watch of ${this.stream} ended`);
    };
    run().catch((err: unknown) => {
      refused(err);
      if (!signal.aborted) this.fail(err);
    });
    return running;
  }

  private dispatch(e: LoggedEvent): void {
    const key = keyOf(e.subject);
    const keyed = key === undefined ? undefined : this.byKey.get(key);
    if (keyed) for (const entry of keyed) this.offer(entry, e);
    for (const entry of this.anyKey) this.offer(entry, e);
  }

  private offer(entry: Entry, e: LoggedEvent): void {
    if (entry.patterns === undefined || entry.patterns.some((p) => subjectMatches(p, e.subject))) {
      entry.listener.event(e);
    }
  }

  /** The watch broke: every listener is told and dropped; the next subscriber starts a new watch. */
  private fail(err: unknown): void {
    const entries = [...this.anyKey, ...[...this.byKey.values()].flatMap((s) => [...s])];
    this.anyKey.clear();
    this.byKey.clear();
    this.count = 0;
    this.running = undefined;
    for (const entry of entries) entry.listener.failed(err);
  }

  private stop(): void {
    this.idle = undefined;
    if (this.count > 0) return;
    this.running?.controller.abort();
    this.running = undefined;
  }

  close(): void {
    this.closed = true;
    if (this.idle) clearTimeout(this.idle);
    this.running?.controller.abort();
    this.running = undefined;
    this.fail(new UnavailableError("the server is shutting down"));
  }
}

/** The BFF's feeds, one per stream, started on first use. */
export class LiveFeeds {
  private readonly log: EventLog;
  private readonly feeds = new Map<StreamName, LiveFeed>();

  constructor(log: EventLog) {
    this.log = log;
  }

  of(stream: StreamName): LiveFeed {
    let feed = this.feeds.get(stream);
    if (!feed) {
      feed = new LiveFeed(this.log, stream);
      this.feeds.set(stream, feed);
    }
    return feed;
  }

  close(): void {
    for (const feed of this.feeds.values()) feed.close();
  }
}
