/** Access's pure handler: each ACCESS event becomes one row operation, kept in stream order. */
import type { Role } from "../../core/messages.ts";
import type { ProjectionEvent } from "../projection.ts";

export type AccessOp =
  | { op: "putUser"; user: string; displayName: string | null; at: string }
  | { op: "setPassword"; user: string; passwordHash: string }
  | { op: "removeUser"; user: string }
  | { op: "putGroup"; group: string; title: string | null; at: string }
  | { op: "deleteGroup"; group: string }
  | { op: "putMember"; group: string; user: string; role: Role }
  | { op: "removeMember"; group: string; user: string }
  | { op: "addThing"; group: string; thing: string }
  | { op: "removeThing"; group: string; thing: string };

export function handleAccess(events: readonly ProjectionEvent[]): AccessOp[] {
  const ops: AccessOp[] = [];
  for (const e of events) {
    const a = e.address;
    if (a.kind === "user") {
      if (e.type === "spokes.UserAdded")
        ops.push({ op: "putUser", user: a.user, displayName: e.data.displayName ?? null, at: e.time });
      else if (e.type === "spokes.PasswordChanged")
        ops.push({ op: "setPassword", user: a.user, passwordHash: e.data.passwordHash });
      else if (e.type === "spokes.UserRemoved") ops.push({ op: "removeUser", user: a.user });
    } else if (a.kind === "group") {
      const group = a.group;
      if (e.type === "spokes.GroupCreated")
        ops.push({ op: "putGroup", group, title: e.data.title ?? null, at: e.time });
      else if (e.type === "spokes.GroupDeleted") ops.push({ op: "deleteGroup", group });
      else if (e.type === "spokes.MemberAdded")
        ops.push({ op: "putMember", group, user: e.data.user, role: e.data.role });
      else if (e.type === "spokes.MemberRemoved") ops.push({ op: "removeMember", group, user: e.data.user });
      else if (e.type === "spokes.ThingAddedToGroup") ops.push({ op: "addThing", group, thing: e.data.thing });
      else if (e.type === "spokes.ThingRemovedFromGroup") ops.push({ op: "removeThing", group, thing: e.data.thing });
    }
  }
  return ops;
}
