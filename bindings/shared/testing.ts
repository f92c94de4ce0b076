/** Test helpers for the bindings' integration tests: ways to read and wait for what reached the log. */
import type { EventLog, LoggedEvent } from "../../core/event-log.ts";
import type { StreamName } from "../../core/subjects.ts";

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
