/**
 * Who owns a Thing: the device that first published its TD (CloudEvents source `devices/{device}`). Afterwards only
 * that device may publish TDs, events and property values for it, and its actions are delivered to that device. A
 * removed Thing can be claimed again; a Thing described by something other than a device (an operator, the CLI)
 * belongs to no device and cannot be claimed. The answer comes from the THINGS stream, read at start and watched.
 */
import type { EventLog, LoggedEvent } from "../../core/event-log.ts";
import type { Logger } from "../../core/log.ts";
import { parseSubject } from "../../core/subjects.ts";
import { deviceOfSource } from "./device-facts.ts";

/** What the log says about one Thing: its owner (undefined: not a device), the sequence of its last TD. */
export type Claim = { owner: string | undefined; tdSeq: number; removed: boolean };

/** May `device` publish for `thing`: it owns it, it may claim it with a TD, or someone else holds it. */
export type OwnershipCheck = "owner" | "unclaimed" | "other";

/** Pure: the claim after one THINGS event. */
export function nextClaim(claim: Claim | undefined, e: Pick<LoggedEvent, "subject" | "source" | "seq">): Claim {
  const a = parseSubject(e.subject);
  if (a.kind === "removed") return { owner: undefined, tdSeq: claim?.tdSeq ?? 0, removed: true };
  if (a.kind !== "td") return claim ?? { owner: undefined, tdSeq: 0, removed: false };
  // The first TD (or the first after a removal) decides; later TDs keep the owner.
  const owner = claim && !claim.removed ? claim.owner : deviceOfSource(e.source);
  return { owner, tdSeq: Math.max(claim?.tdSeq ?? 0, e.seq), removed: false };
}

/** Pure: whether `device` may publish for a Thing with this claim. */
export function checkClaim(claim: Claim | undefined, device: string): OwnershipCheck {
  if (claim === undefined || claim.removed) return "unclaimed";
  return claim.owner === device ? "owner" : "other";
}

export class ThingOwnership {
  private readonly claims = new Map<string, Claim>();
  private readonly byDevice = new Map<string, Set<string>>();
  private readonly controller = new AbortController();
  private readonly listeners = new Set<(thing: string, owner: string | undefined) => void>();
  private lastSeq = 0;
  private watching: Promise<void> | undefined;

  /** Reads the THINGS stream up to its head, then keeps watching it. */
  static async open(log: EventLog, logger?: Logger): Promise<ThingOwnership> {
    const o = new ThingOwnership();
    for await (const e of log.read({ stream: "THINGS" })) o.record(e);
    const signal = o.controller.signal;
    // Resumes after the last event seen when the watch fails (e.g. nats-server restarts).
    o.watching = (async () => {
      while (!signal.aborted) {
        try {
          for await (const e of log.watch({ stream: "THINGS", from: o.lastSeq + 1, signal })) o.record(e);
        } catch (err) {
          if (signal.aborted) return;
          logger?.warn("watching Thing owners failed; resuming", { err });
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    })();
    return o;
  }

  /** Applies a THINGS event read from the stream; the stream's order is kept. */
  private record(e: Pick<LoggedEvent, "subject" | "source" | "seq">): void {
    if (e.seq <= this.lastSeq) return;
    this.lastSeq = e.seq;
    this.apply(e);
  }

  /**
   * Applies a TD this process just appended, before the watch brings it back, so the device's next message is
   * judged by it. Applying it again from the stream changes nothing.
   */
  recordOwn(e: Pick<LoggedEvent, "subject" | "source" | "seq">): void {
    this.apply(e);
  }

  private apply(e: Pick<LoggedEvent, "subject" | "source" | "seq">): void {
    let thing: string;
    try {
      const a = parseSubject(e.subject);
      if (a.kind !== "td" && a.kind !== "removed") return;
      thing = a.thing;
    } catch {
      return;
    }
    const before = this.claims.get(thing);
    const after = nextClaim(before, e);
    this.claims.set(thing, after);
    const was = before && !before.removed ? before.owner : undefined;
    const now = after.removed ? undefined : after.owner;
    if (was !== now) {
      if (was !== undefined) this.byDevice.get(was)?.delete(thing);
      if (now !== undefined) {
        const set = this.byDevice.get(now) ?? new Set<string>();
        this.byDevice.set(now, set);
        set.add(thing);
      }
      for (const l of this.listeners) l(thing, now);
    }
  }

  check(device: string, thing: string): OwnershipCheck {
    return checkClaim(this.claims.get(thing), device);
  }

  /** The device that owns the Thing, if a device does. */
  ownerOf(thing: string): string | undefined {
    const c = this.claims.get(thing);
    return c && !c.removed ? c.owner : undefined;
  }

  /** Sequence of the Thing's last TD (0: never described), for a conditional claim. */
  tdSeq(thing: string): number {
    return this.claims.get(thing)?.tdSeq ?? 0;
  }

  thingsOf(device: string): string[] {
    return [...(this.byDevice.get(device) ?? [])];
  }

  /** Called whenever a Thing gets a new owner or loses its owner. Returns an unsubscribe. */
  onChange(listener: (thing: string, owner: string | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.controller.abort();
    await this.watching;
  }
}
