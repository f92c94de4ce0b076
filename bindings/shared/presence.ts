/**
 * Presence facts: bindings report when a device connects, disconnects (cleanly or through its last will) or goes
 * to sleep until a time, naming the Things it holds. Appending never blocks the caller; a failure is logged.
 */
import type { AppendRequest, EventLog } from "../../core/event-log.ts";
import type { Logger } from "../../core/log.ts";
import type { Presence } from "../../core/messages.ts";
import { subjects } from "../../core/subjects.ts";
import { deviceSource } from "./device-facts.ts";

export function presenceRequest(
  device: string,
  state: Presence["state"],
  o: { binding: string; things: string[]; until?: Date },
): AppendRequest {
  return {
    subject: subjects.presence(device),
    type: "spokes.PresenceChanged",
    source: deviceSource(device),
    data: {
      state,
      binding: o.binding,
      ...(o.things.length ? { things: o.things.slice(0, 1000) } : {}),
      ...(o.until ? { until: o.until.toISOString() } : {}),
    },
  };
}

export class PresenceReporter {
  private readonly log: EventLog;
  private readonly binding: string;
  private readonly thingsOf: (device: string) => string[];
  private readonly logger: Logger;

  constructor(o: { log: EventLog; binding: string; thingsOf: (device: string) => string[]; logger: Logger }) {
    this.log = o.log;
    this.binding = o.binding;
    this.thingsOf = o.thingsOf;
    this.logger = o.logger;
  }

  /** Appends a PresenceChanged fact; resolves when stored or when the failure was logged. */
  report(device: string, state: Presence["state"], until?: Date): Promise<void> {
    const req = presenceRequest(device, state, { binding: this.binding, things: this.thingsOf(device), until });
    return this.log.append(req).then(
      () => undefined,
      (err: unknown) => this.logger.warn("presence not recorded", { device, state, err }),
    );
  }
}
