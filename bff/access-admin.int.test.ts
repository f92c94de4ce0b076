import { describe, expect, it } from "vitest";
import { gql } from "./test-client.ts";
import { useTestHub } from "./use-test-hub.ts";

const hub = useTestHub();

const call = (query: string, user: string, variables: Record<string, unknown> = {}) =>
  gql(hub().url, query, variables, hub().tokens[user]);
const typename = async (query: string, user: string) => {
  const r = await call(query, user);
  return (Object.values(r.data ?? {})[0] as { __typename?: string } | undefined)?.__typename ?? r.errors?.[0]?.message;
};
async function thingIds(user: string): Promise<string[]> {
  const nodes: { id: string }[] = (await call("{ things { nodes { id } } }", user)).data?.things.nodes ?? [];
  return nodes.map((n) => n.id);
}

describe("users and groups queries", () => {
  const USERS = "{ users { id memberships { group role } } }";
  const GROUPS = "{ groups { id members { user role } things } }";

  it("lists every user with their roles for hub administrators, and only themselves for others", async () => {
    const all = await call(USERS, "admin");
    expect(all.data?.users.map((u: { id: string }) => u.id)).toEqual(["admin", "gary", "kate", "mia", "otto", "vera"]);
    expect(all.data?.users).toContainEqual({ id: "kate", memberships: [{ group: "kitchen", role: "admin" }] });
    expect((await call(USERS, "vera")).data?.users).toEqual([
      { id: "vera", memberships: [{ group: "kitchen", role: "viewer" }] },
    ]);
  });

  it("lists groups with members, roles and Things: all for hub admins, administered ones for group admins", async () => {
    const all = await call(GROUPS, "admin");
    expect(all.data?.groups.map((g: { id: string }) => g.id)).toEqual(["admins", "garage", "kitchen"]);
    const kitchen = {
      id: "kitchen",
      members: [
        { user: "kate", role: "admin" },
        { user: "mia", role: "manager" },
        { user: "otto", role: "operator" },
        { user: "vera", role: "viewer" },
      ],
      things: ["lamp-1"],
    };
    expect(all.data?.groups).toContainEqual(kitchen);
    expect((await call(GROUPS, "kate")).data?.groups).toEqual([kitchen]);
    expect((await call(GROUPS, "mia")).data?.groups).toEqual([]);
  });
});

describe("removing members, Things, groups and users", () => {
  it("lets a group administrator remove a member, who then no longer sees the group's Things", async () => {
    const remove = `mutation { removeMember(group: "kitchen", user: "vera") { __typename } }`;
    expect(await typename(remove, "otto")).toBe("Forbidden");
    expect(await typename(`mutation { removeMember(group: "garage", user: "gary") { __typename } }`, "kate")).toBe(
      "Forbidden",
    );
    expect(await thingIds("vera")).toEqual(["lamp-1"]);
    expect(await typename(remove, "kate")).toBe("GroupChange");
    expect(await typename(remove, "kate")).toBe("NotFound");
    await hub().caughtUp();
    expect(await thingIds("vera")).toEqual([]);
  });

  it("keeps a hub administrator from removing themselves from the administrators", async () => {
    expect(await typename(`mutation { removeMember(group: "admins", user: "admin") { __typename } }`, "admin")).toBe(
      "Forbidden",
    );
  });

  it("lets only hub administrators take a Thing out of a group", async () => {
    const remove = `mutation { removeThingFromGroup(group: "garage", thing: "lamp-2") { __typename } }`;
    expect(await typename(remove, "gary")).toBe("Forbidden");
    expect(await typename(remove, "admin")).toBe("GroupChange");
    expect(await typename(remove, "admin")).toBe("NotFound");
    await hub().caughtUp();
    expect(await thingIds("gary")).toEqual([]);
  });

  it("lets only hub administrators delete groups, never the administrators' group", async () => {
    expect(await typename(`mutation { createGroup(group: "temp") { __typename } }`, "admin")).toBe("Group");
    const del = `mutation { deleteGroup(group: "temp") { __typename } }`;
    expect(await typename(del, "kate")).toBe("Forbidden");
    expect(await typename(del, "admin")).toBe("Group");
    expect(await typename(del, "admin")).toBe("NotFound");
    expect(await typename(`mutation { deleteGroup(group: "admins") { __typename } }`, "admin")).toBe("Forbidden");
    // The name is free again.
    expect(await typename(`mutation { createGroup(group: "temp") { __typename } }`, "admin")).toBe("Group");
  });

  it("lets only hub administrators remove users, whose tokens then stop working", async () => {
    const remove = `mutation { removeUser(user: "otto") { __typename } }`;
    expect(await typename(remove, "kate")).toBe("Forbidden");
    expect(await typename(`mutation { removeUser(user: "admin") { __typename } }`, "admin")).toBe("Forbidden");
    expect(await typename(remove, "admin")).toBe("User");
    expect(await typename(remove, "admin")).toBe("NotFound");
    await hub().caughtUp();
    expect((await call("{ me { user } }", "otto")).status).toBe(401);
    expect((await hub().login("otto", "pass-word")).__typename).toBe("Forbidden");
    const kitchen = await call(`{ groups { id members { user } } }`, "admin");
    const members = kitchen.data?.groups.find((g: { id: string }) => g.id === "kitchen").members;
    expect(members).not.toContainEqual({ user: "otto" });
  });
});

describe("roles change while a caller keeps sending requests", () => {
  it("Given gary's roles were just read, When he joins the administrators, Then his next request once the read model has it sees him as admin", async () => {
    const ME = "{ me { admin memberships { group role } } }";
    expect((await call(ME, "gary")).data?.me).toEqual({
      admin: false,
      memberships: [{ group: "garage", role: "manager" }],
    });
    const add = `mutation { addMember(group: "admins", user: "gary", role: ADMIN) { __typename } }`;
    expect(await typename(add, "admin")).toBe("GroupChange");
    await hub().caughtUp();
    expect((await call(ME, "gary")).data?.me).toMatchObject({ admin: true });
    const remove = `mutation { removeMember(group: "admins", user: "gary") { __typename } }`;
    expect(await typename(remove, "admin")).toBe("GroupChange");
    await hub().caughtUp();
    expect((await call(ME, "gary")).data?.me).toMatchObject({ admin: false });
  });
});
