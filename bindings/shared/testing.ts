/**
 * Test helpers for the bindings' integration tests: a small in-memory DeviceAuthenticator (for tests that are
 * about the protocol, not about provisioning) and ways to wait for what reached the log.
 */

import type { DeviceAuthenticator } from "../../core/devices.ts";
import { UnauthenticatedError } from "../../core/errors.ts";
import type { EventLog, LoggedEvent } from "../../core/event-log.ts";
import type { StreamName } from "../../core/subjects.ts";

export type TestAuthenticator = DeviceAuthenticator & { deactivate(device: string): void };

/** Devices and their tokens, fixed up front; a deactivated device is refused and its listeners are told. */
export function tokenAuthenticator(tokens: Record<string, string>): TestAuthenticator {
  const inactive = new Set<string>();
  const listeners = new Set<(device: string) => void>();
  return {
    async authenticate({ device, token }) {
      // Without a device id, the token names the device (as a real token's subject does).
      const id = device ?? Object.keys(tokens).find((d) => tokens[d] === token);
      if (id && token && Object.hasOwn(tokens, id) && tokens[id] === token && !inactive.has(id)) return { device: id };
      throw new UnauthenticatedError("the device credentials are not valid");
    },
    isActive: (device) => Object.hasOwn(tokens, device) && !inactive.has(device),
    onDeactivated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    deactivate(device) {
      inactive.add(device);
      for (const l of listeners) l(device);
    },
  };
}

export async function eventsIn(log: EventLog, stream: StreamName, filter?: string | string[]): Promise<LoggedEvent[]> {
  const out: LoggedEvent[] = [];
  for await (const e of log.read({ stream, ...(filter ? { filter } : {}) })) out.push(e);
  return out;
}

/** Reads the stream again until `done` holds for its events; throws after `timeoutMs`. */
export async function waitForEvents(
  log: EventLog,
  stream: StreamName,
  done: (events: LoggedEvent[]) => boolean,
  o: { filter?: string | string[]; timeoutMs?: number } = {},
): Promise<LoggedEvent[]> {
  const deadline = Date.now() + (o.timeoutMs ?? 15_000);
  for (;;) {
    const events = await eventsIn(log, stream, o.filter);
    if (done(events)) return events;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${stream}: ${JSON.stringify(events.map((e) => [e.subject, e.data]))}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
