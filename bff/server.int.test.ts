import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { createLogger } from "../core/log.ts";
import { subjects } from "../core/subjects.ts";
import { issueAccessToken } from "./auth/access-tokens.ts";
import { loadOrCreateSigningKeys } from "./auth/keys.ts";
import { ensureAdmin } from "./bootstrap-admin.ts";
import type { Bff } from "./server.ts";
import { gql, wsClient } from "./test-client.ts";
import { startTestHub, type TestHub } from "./test-hub.ts";

let hub: TestHub;
let log: JetStreamEventLog;
let bff: Bff;
let dataDir: string;
let url: string;
let tokens: Record<string, string>;
const login = (user: string, password: string) => hub.login(user, password);
const caughtUp = () => hub.caughtUp();

beforeAll(async () => {
  hub = await startTestHub();
  ({ log, bff, dataDir, url, tokens } = hub);
}, 120_000);

afterAll(async () => {
  await hub?.close();
});

const THINGS = `query($text:String,$group:String,$first:Int,$after:String){ things(text:$text,group:$group,first:$first,after:$after){ nodes { id title groups latestValues { name value } } pageInfo { endCursor hasNextPage } } }`;
const ids = (r: Awaited<ReturnType<typeof gql>>) => ((r.data?.things.nodes ?? []) as { id: string }[]).map((n) => n.id);

describe("BFF over HTTP", () => {
  it("creates the admin user only once", async () => {
    expect(await ensureAdmin({ log, logger: createLogger("error"), password: "other" })).toEqual({ created: false });
  });

  it("logs in, and refuses a wrong password with the same answer as an unknown user", async () => {
    expect((await login("vera", "wrong-one")).__typename).toBe("Forbidden");
    expect((await login("nobody", "pass-word")).message).toBe((await login("vera", "wrong-one")).message);
    const me = await gql(url, "{ me { user admin memberships { group role } } }", {}, tokens.admin);
    expect(me.data?.me).toEqual({ user: "admin", admin: true, memberships: [{ group: "admins", role: "admin" }] });
  });

  it("shows each user only the Things of their groups; admins see all", async () => {
    expect(ids(await gql(url, THINGS, {}, tokens.vera))).toEqual(["lamp-1"]);
    expect(ids(await gql(url, THINGS, { text: "lamp" }, tokens.gary))).toEqual(["lamp-2"]);
    expect(ids(await gql(url, THINGS, { group: "garage" }, tokens.vera))).toEqual([]);
    expect(ids(await gql(url, THINGS, {}, tokens.admin))).toEqual(["lamp-1", "lamp-2", "meter-9"]);
    const one = await gql(
      url,
      `{ a: thing(id: "lamp-1") { id latestValues { name value } } b: thing(id: "lamp-2") { id } }`,
      {},
      tokens.vera,
    );
    expect(one.data).toEqual({ a: { id: "lamp-1", latestValues: [{ name: "level", value: 7 }] }, b: null });
  });

  it("pages with cursors", async () => {
    const p1 = await gql(url, THINGS, { first: 2 }, tokens.admin);
    expect(ids(p1)).toEqual(["lamp-1", "lamp-2"]);
    expect(p1.data?.things.pageInfo.hasNextPage).toBe(true);
    const p2 = await gql(url, THINGS, { first: 2, after: p1.data?.things.pageInfo.endCursor }, tokens.admin);
    expect(ids(p2)).toEqual(["meter-9"]);
    expect(p2.data?.things.pageInfo.hasNextPage).toBe(false);
  });

  it.each([
    ["otto", "Forbidden"],
    ["gary", "Forbidden"],
    ["admin", "Group"],
  ])("role matrix: %s creating a group gets %s", async (user, typename) => {
    const r = await gql(url, `mutation { createGroup(group: "g-${user}") { __typename } }`, {}, tokens[user]);
    expect(r.data?.createGroup.__typename).toBe(typename);
  });

  it("reports conflicts, validation issues and missing things as typed results", async () => {
    const again = await gql(url, `mutation { createGroup(group: "kitchen") { __typename } }`, {}, tokens.admin);
    expect(again.data?.createGroup.__typename).toBe("Conflict");
    const short = await gql(
      url,
      `mutation { addUser(user: "x", password: "short") { __typename ... on ValidationError { issues { path } } } }`,
      {},
      tokens.admin,
    );
    expect(short.data?.addUser).toEqual({ __typename: "ValidationError", issues: [{ path: "password" }] });
    const missing = await gql(
      url,
      `mutation { addMember(group: "nope", user: "vera", role: VIEWER) { __typename } }`,
      {},
      tokens.admin,
    );
    expect(missing.data?.addMember.__typename).toBe("NotFound");
  });

  it("adds a user who can then log in and, once in a group, see its Things", async () => {
    const add = await gql(
      url,
      `mutation { addUser(user: "newbie", password: "long enough") { __typename } }`,
      {},
      tokens.admin,
    );
    expect(add.data?.addUser.__typename).toBe("User");
    const member = await gql(
      url,
      `mutation { addMember(group: "garage", user: "newbie", role: VIEWER) { __typename } }`,
      {},
      tokens.admin,
    );
    expect(member.data?.addMember.__typename).toBe("GroupChange");
    await caughtUp();
    const s = await login("newbie", "long enough");
    expect(ids(await gql(url, THINGS, {}, s.accessToken))).toEqual(["lamp-2"]);
  });

  it("refuses requests without a token, and with forged, expired or alg-none tokens", async () => {
    const anon = await gql(url, "{ me { user } }");
    expect(anon.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const forger = await loadOrCreateSigningKeys(join(dataDir, "forger"));
    const forged = (await issueAccessToken(forger, "admin")).token;
    const expired = (await issueAccessToken(bff.services.keys, "admin", 1000, new Date(Date.now() - 60_000))).token;
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const exp = Math.floor(Date.now() / 1000) + 300;
    const none = `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "admin", iss: "spokes", aud: "spokes-bff", iat: exp - 300, exp })}.`;
    for (const token of [forged, expired, none]) {
      const r = await gql(url, "{ me { user } }", {}, token);
      expect(r.status).toBe(401);
      expect(r.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      const client = wsClient(url, token);
      await expect(
        new Promise((resolve, reject) =>
          client.subscribe(
            { query: "{ me { user } }" },
            { next: resolve, error: reject, complete: () => resolve(undefined) },
          ),
        ),
      ).rejects.toBeTruthy();
      await client.dispose();
    }
  });

  it("rotates refresh tokens and revokes them on logout", async () => {
    const s = await login("vera", "pass-word");
    const R = `mutation($t:String!){ refresh(refreshToken:$t){ __typename ... on Session { refreshToken } } }`;
    const r1 = await gql(url, R, { t: s.refreshToken });
    expect(r1.data?.refresh.__typename).toBe("Session");
    expect((await gql(url, R, { t: s.refreshToken })).data?.refresh.__typename).toBe("Forbidden");
    const out = await gql(url, `mutation($t:String!){ logout(refreshToken:$t){ revoked } }`, {
      t: r1.data?.refresh.refreshToken,
    });
    expect(out.data?.logout.revoked).toBe(true);
    expect((await gql(url, R, { t: r1.data?.refresh.refreshToken })).data?.refresh.__typename).toBe("Forbidden");
  });

  it("limits query depth", async () => {
    const deep = `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }`;
    const r = await gql(url, deep, {}, tokens.admin);
    expect(r.errors?.[0]?.message).toMatch(/levels deep; the limit is 10/);
  });
});

type Outcome = "allowed" | "forbidden" | "not found";
const outcomeOf = (typename: string | undefined): Outcome =>
  typename === "Forbidden" ? "forbidden" : typename === "NotFound" ? "not found" : "allowed";
const mutate = async (user: string, query: string) => {
  const r = await gql(url, `mutation { ${query} { __typename } }`, {}, tokens[user]);
  return outcomeOf((Object.values(r.data ?? {})[0] as { __typename: string }).__typename);
};

/** Each operation on lamp-1 (in the kitchen group) as one user, and what came of it. */
const OPERATIONS: Record<string, (user: string) => Promise<Outcome>> = {
  "things list": async (u) => (ids(await gql(url, THINGS, {}, tokens[u])).includes("lamp-1") ? "allowed" : "not found"),
  thing: async (u) =>
    (await gql(url, `{ thing(id: "lamp-1") { id } }`, {}, tokens[u])).data?.thing ? "allowed" : "not found",
  history: async (u) => {
    const r = await gql(url, `{ history(thing: "lamp-1") { nodes { seq } } }`, {}, tokens[u]);
    return r.data?.history.nodes.length > 0 ? "allowed" : "not found";
  },
  "thingEvents subscription": async (u) => {
    const client = wsClient(url, tokens[u]);
    const query = `subscription { thingEvents(thing: "lamp-1", since: { seq: 1 }) { seq } }`;
    // A refusal arrives either as a result with errors or as a failed subscription, depending on timing.
    const first = await client
      .iterate({ query })
      .next()
      .then(
        (r) => (r.value?.errors ? JSON.stringify(r.value.errors) : "allowed"),
        (e: unknown) => (e instanceof Error ? e.message : JSON.stringify(e)),
      );
    await client.dispose();
    if (first === "allowed") return "allowed";
    if (first.includes("no Thing")) return "not found";
    return first.includes("may not") ? "forbidden" : (`unexpected: ${first}` as never);
  },
  invokeAction: (u) => mutate(u, `invokeAction(thing: "lamp-1", name: "toggle")`),
  writeProperty: (u) => mutate(u, `writeProperty(thing: "lamp-1", name: "level", value: 1)`),
  addThingToGroup: (u) => mutate(u, `addThingToGroup(group: "kitchen", thing: "spare-${u}")`),
  addMember: (u) => mutate(u, `addMember(group: "kitchen", user: "extra", role: VIEWER)`),
};

const A = "allowed";
const F = "forbidden";
const N = "not found";
/** Expected outcomes, in OPERATIONS order. Group admins manage members, but only hub admins place Things. */
const MATRIX: [role: string, user: string, outcomes: Outcome[]][] = [
  ["viewer", "vera", [A, A, A, A, F, F, F, F]],
  ["operator", "otto", [A, A, A, A, A, F, F, F]],
  ["manager", "mia", [A, A, A, A, A, A, F, F]],
  ["group admin", "kate", [A, A, A, A, A, A, F, A]],
  ["hub admin", "admin", [A, A, A, A, A, A, A, A]],
  ["non-member", "gary", [N, N, N, N, N, N, F, F]],
];

describe("role matrix on a Thing of the kitchen group", () => {
  beforeAll(async () => {
    const r = await gql(
      url,
      `mutation { addUser(user: "extra", password: "long enough") { __typename } }`,
      {},
      tokens.admin,
    );
    expect(r.data?.addUser.__typename).toBe("User");
    await caughtUp();
  });

  it.each(
    MATRIX.flatMap(([role, user, outcomes]) =>
      Object.keys(OPERATIONS).map((operation, i) => ({ role, user, operation, expected: outcomes[i] })),
    ),
  )("$role ($user) × $operation → $expected", async ({ user, operation, expected }) => {
    expect(await OPERATIONS[operation]?.(user)).toBe(expected);
  });
});

describe("subscriptions", () => {
  const SUB = `subscription($since: Since) { thingEvents(thing: "lamp-1", name: "level", since: $since) { seq value } }`;

  it("with `since`, delivers the history and then the live tail with no gap and no duplicate (WebSocket)", async () => {
    const level = (n: number) => ({
      subject: subjects.property("lamp-1", "level"),
      type: "spokes.PropertyReported",
      data: n,
    });
    const before = await log.appendMany([10, 11, 12].map(level));
    const since = before[0]?.seq as number;
    const client = wsClient(url, tokens.vera);
    const received: number[] = [];
    const iterator = client.iterate<{ thingEvents: { seq: number; value: number } }>({
      query: SUB,
      variables: { since: { seq: since } },
    });
    // Keep appending while the subscription starts, so the seam between history and live tail is crossed.
    const appending = (async () => {
      const out = [];
      for (let i = 0; i < 40; i++) out.push(...(await log.appendMany([level(100 + i)])));
      return out;
    })();
    const after = await appending;
    const expected = [...before, ...after].map((r) => r.seq);
    for await (const result of iterator) {
      received.push(result.data?.thingEvents.seq as number);
      if (received.length === expected.length) break;
    }
    expect(received).toEqual(expected);
    await client.dispose();
  });

  it("refuses a subscription to a Thing outside the caller's groups", async () => {
    const client = wsClient(url, tokens.gary);
    const first = await client
      .iterate({ query: SUB })
      .next()
      .catch((e: unknown) => e);
    expect(JSON.stringify(first)).toMatch(/no Thing/);
    await client.dispose();
  });

  it("streams over SSE too", async () => {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        authorization: `Bearer ${tokens.otto}`,
      },
      body: JSON.stringify({ query: SUB, variables: { since: { time: new Date(0).toISOString() } } }),
    });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!text.includes('"value":7')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
  });
});
