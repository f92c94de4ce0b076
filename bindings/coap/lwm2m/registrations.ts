/**
 * The registrations the server holds, by registration id and by endpoint. Time comes from the caller, so
 * lifetime expiry and the queue-mode awake window are plain arithmetic here.
 */
import type { Peer } from "./device-requests.ts";
import type { AnnouncedInstance, Link } from "./link-format.ts";
import type { RegisterParams } from "./registration-params.ts";

export type Registration = {
  id: string;
  endpoint: string;
  peer: Peer;
  version: RegisterParams["version"];
  binding: string;
  queueMode: boolean;
  lifetimeS: number;
  links: Link[];
  instances: AnnouncedInstance[];
  registeredAt: number;
  /** Last time the client sent anything (register, update, notification), ms since the epoch. */
  lastSeen: number;
  /** Queue mode: until when the client listens; for U clients, the registration's expiry. */
  awakeUntil: number;
  /** Its Things have been described (values reported before that would have no Thing to belong to). */
  described?: boolean;
};

export const expiresAt = (r: Registration) => r.lastSeen + r.lifetimeS * 1000;

export class Registrations {
  readonly #byId = new Map<string, Registration>();
  readonly #byEndpoint = new Map<string, Registration>();

  get size(): number {
    return this.#byId.size;
  }

  byId(id: string): Registration | undefined {
    return this.#byId.get(id);
  }

  byEndpoint(endpoint: string): Registration | undefined {
    return this.#byEndpoint.get(endpoint);
  }

  /** Adds a registration; returns the one it replaces for the same endpoint, if any. */
  add(r: Registration): Registration | undefined {
    const old = this.#byEndpoint.get(r.endpoint);
    if (old) this.#byId.delete(old.id);
    this.#byId.set(r.id, r);
    this.#byEndpoint.set(r.endpoint, r);
    return old;
  }

  remove(id: string): Registration | undefined {
    const r = this.#byId.get(id);
    if (!r) return undefined;
    this.#byId.delete(id);
    if (this.#byEndpoint.get(r.endpoint) === r) this.#byEndpoint.delete(r.endpoint);
    return r;
  }

  /** Registrations whose lifetime ran out at `now`. */
  expired(now: number): Registration[] {
    return [...this.#byId.values()].filter((r) => expiresAt(r) <= now);
  }

  all(): Registration[] {
    return [...this.#byId.values()];
  }
}
