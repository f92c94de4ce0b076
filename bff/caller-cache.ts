/**
 * Callers (a user's groups and roles) remembered between requests, so a client sending request after request
 * does not cost an access-model query each time. An entry is trusted only while the access read model it was read
 * from is still current: each entry keeps the access projection's checkpoint it saw, and the BFF follows the
 * ACCESS stream; once an ACCESS event above that checkpoint appears, the entry is read again. So a role change
 * takes effect as soon as the read model has it, as without the cache; `maxAgeMs` bounds an entry's life anyway.
 */
import type { Caller } from "./context.ts";
import type { LiveFeeds } from "./live/live-feed.ts";

type Entry = { caller: Caller; checkpoint: number; at: number };

const MAX_ENTRIES = 10_000;

export class CallerCache {
  private readonly feeds: LiveFeeds;
  private readonly maxAgeMs: number;
  private readonly entries = new Map<string, Entry>();
  /** Highest ACCESS sequence known to exist; entries read at a lower checkpoint are stale. */
  private latest = 0;
  /** Whether ACCESS is followed, so that `latest` can be believed. */
  private trusted = false;
  private following: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(feeds: LiveFeeds, maxAgeMs = 10_000) {
    this.feeds = feeds;
    this.maxAgeMs = maxAgeMs;
  }

  /** The remembered caller of `user`, when still current. Starts following ACCESS on first use. */
  get(user: string): Caller | undefined {
    if (!this.following && !this.closed) this.following = this.follow();
    const entry = this.entries.get(user);
    if (!entry) return undefined;
    if (this.trusted && entry.checkpoint >= this.latest && Date.now() - entry.at < this.maxAgeMs) return entry.caller;
    this.entries.delete(user);
    return undefined;
  }

  /** Remembers a caller read from the access model at projection checkpoint `checkpoint`. */
  set(caller: Caller, checkpoint: number): void {
    if (!this.trusted || checkpoint < this.latest) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(caller.user, { caller, checkpoint, at: Date.now() });
  }

  private async follow(): Promise<void> {
    try {
      const joined = await this.feeds.of("ACCESS").subscribe(undefined, {
        event: (e) => {
          if (e.seq > this.latest) this.latest = e.seq;
        },
        failed: () => this.reset(),
      });
      this.unsubscribe = joined.unsubscribe;
      // Everything up to the feed's position exists; later events reach `latest` as they come.
      this.latest = Math.max(this.latest, joined.position);
      this.trusted = true;
      if (this.closed) joined.unsubscribe();
    } catch {
      this.reset();
    }
  }

  /** Following ACCESS failed: forget everything and trust nothing until it is followed again. */
  private reset(): void {
    this.trusted = false;
    this.entries.clear();
    this.unsubscribe = undefined;
    this.following = undefined;
  }

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.entries.clear();
  }
}
