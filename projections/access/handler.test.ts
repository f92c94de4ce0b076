import { describe, expect, it } from "vitest";
import { subjects } from "../../core/subjects.ts";
import { event } from "../fixtures.ts";
import { handleAccess } from "./handler.ts";
import { highestRole, roleAllows } from "./roles.ts";

const g = subjects.group("kitchen");

describe("access handler", () => {
  it("Given a user, a group, a member and a Thing, When handled, Then one operation each, in order", () => {
    const ops = handleAccess([
      event(1, subjects.user("alice"), "spokes.UserAdded", { displayName: "Alice" }),
      event(2, g, "spokes.GroupCreated", { title: "Kitchen" }),
      event(3, g, "spokes.MemberAdded", { user: "alice", role: "operator" }),
      event(4, g, "spokes.ThingAddedToGroup", { thing: "lamp" }),
    ]);
    expect(ops.map((o) => o.op)).toEqual(["putUser", "putGroup", "putMember", "addThing"]);
    expect(ops[2]).toEqual({ op: "putMember", group: "kitchen", user: "alice", role: "operator" });
  });

  it("Given removals, When handled, Then they become removals of the same keys", () => {
    const ops = handleAccess([
      event(5, g, "spokes.MemberRemoved", { user: "alice" }),
      event(6, g, "spokes.ThingRemovedFromGroup", { thing: "lamp" }),
      event(7, g, "spokes.GroupDeleted", {}),
      event(8, subjects.user("alice"), "spokes.UserRemoved", {}),
    ]);
    expect(ops).toEqual([
      { op: "removeMember", group: "kitchen", user: "alice" },
      { op: "removeThing", group: "kitchen", thing: "lamp" },
      { op: "deleteGroup", group: "kitchen" },
      { op: "removeUser", user: "alice" },
    ]);
  });

  it("Given a password change, When handled, Then only its hash is carried", () => {
    const [op] = handleAccess([
      event(9, subjects.user("bob"), "spokes.PasswordChanged", { passwordHash: "$argon2id$x" }),
    ]);
    expect(op).toEqual({ op: "setPassword", user: "bob", passwordHash: "$argon2id$x" });
  });
});

describe("roles", () => {
  it.each([
    ["viewer", "read", true],
    ["viewer", "subscribe", true],
    ["viewer", "invoke", false],
    ["operator", "invoke", true],
    ["operator", "writeProperty", false],
    ["manager", "writeProperty", true],
    ["manager", "configure", true],
    ["manager", "administer", false],
    ["admin", "administer", true],
    ["admin", "read", true],
  ] as const)("%s may %s: %s", (role, op, allowed) => {
    expect(roleAllows(role, op)).toBe(allowed);
  });

  it("takes the highest of several roles", () => {
    expect(highestRole(["viewer", "manager", "operator"])).toBe("manager");
    expect(highestRole([])).toBeUndefined();
  });
});
