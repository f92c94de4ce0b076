/** What the log says about one subject: its last event, for state-dependent appends (expected last sequence). */
import type { EventLog, LoggedEvent } from "../../core/event-log.ts";
import type { StreamName } from "../../core/subjects.ts";

/** The last event on a subject, or undefined when the subject is empty. Reads the subject's whole history. */
export async function lastOnSubject(
  log: EventLog,
  stream: StreamName,
  subject: string,
): Promise<LoggedEvent | undefined> {
  let last: LoggedEvent | undefined;
  for await (const e of log.read({ stream, filter: subject })) last = e;
  return last;
}

/** Whether a user or group subject describes something that exists: it has events and the last is not a removal. */
export function existsAfter(last: LoggedEvent | undefined): boolean {
  return last !== undefined && last.type !== "spokes.UserRemoved" && last.type !== "spokes.GroupDeleted";
}
