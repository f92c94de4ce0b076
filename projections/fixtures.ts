/** Test fixtures: logged events as the runner would see them. Used by the tests beside each handler. */
import type { LoggedEvent } from "../core/event-log.ts";
import type { ProjectionEvent } from "./projection.ts";
import { checkEvent } from "./validate.ts";

const BASE = Date.parse("2026-11-01T00:00:00.000Z");

/** A logged event at `seq`; its time is `seq` seconds after a fixed base unless given. */
export function logged(seq: number, subject: string, type: string, data: unknown, time?: string): LoggedEvent {
  const at = time ?? new Date(BASE + seq * 1000).toISOString();
  const stream = subject.startsWith("access.")
    ? "ACCESS"
    : subject.startsWith("provisioning.")
      ? "PROVISIONING"
      : "EVENTS";
  return { stream, seq, subject, id: `e${seq}`, type, source: "test", time: at, receivedAt: at, data };
}

/** The same, passed through the catalogue; throws if the fixture itself is not valid. */
export function event(seq: number, subject: string, type: string, data: unknown, time?: string): ProjectionEvent {
  const checked = checkEvent(logged(seq, subject, type, data, time));
  if (!checked.ok) throw new Error(`bad fixture: ${checked.reason}`);
  return checked.event;
}
