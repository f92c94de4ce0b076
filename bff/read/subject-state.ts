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

/** A group as its subject's history says: whether it exists, its members with roles, its Things, its last seq. */
export type GroupState = { exists: boolean; members: Map<string, string>; things: Set<string>; seq: number };

/** Folds a group's events into its current state (a deleted and re-created group starts empty). */
export async function groupState(log: EventLog, subject: string): Promise<GroupState> {
  const s: GroupState = { exists: false, members: new Map(), things: new Set(), seq: 0 };
  for await (const e of log.read({ stream: "ACCESS", filter: subject })) {
    s.seq = e.seq;
    const d = e.data as { user?: string; role?: string; thing?: string };
    if (e.type === "spokes.GroupCreated") s.exists = true;
    else if (e.type === "spokes.GroupDeleted")
      Object.assign(s, { exists: false, members: new Map(), things: new Set() });
    else if (e.type === "spokes.MemberAdded" && d.user && d.role) s.members.set(d.user, d.role);
    else if (e.type === "spokes.MemberRemoved" && d.user) s.members.delete(d.user);
    else if (e.type === "spokes.ThingAddedToGroup" && d.thing) s.things.add(d.thing);
    else if (e.type === "spokes.ThingRemovedFromGroup" && d.thing) s.things.delete(d.thing);
  }
  return s;
}
