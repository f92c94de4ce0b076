import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../core/config.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { createLogger } from "../core/log.ts";
import { subjects } from "../core/subjects.ts";
import { type Database, openDatabase } from "../projections/db/database.ts";
import { migrate } from "../projections/db/migrate.ts";
import { PROJECTIONS } from "../projections/registry.ts";
import { ProjectionRunner } from "../projections/runner.ts";
import { projectionStatus } from "../projections/status.ts";
import { freshDatabaseUrl, waitFor } from "../projections/test-support.ts";
import { startTestNats, startTestPostgres, type TestNats, type TestPostgres } from "../test/harness/index.ts";
import { issueAccessToken } from "./auth/access-tokens.ts";
import { loadOrCreateSigningKeys } from "./auth/keys.ts";
import { hashPassword } from "./auth/password.ts";
import { ensureAdmin } from "./bootstrap-admin.ts";
import { type Bff, createBff } from "./server.ts";
import { gql, wsClient } from "./test-client.ts";

const fast = { memoryKiB: 1024, iterations: 1, parallelism: 1, hashLength: 32 };
const td = (id: string, title: string, type: string) => ({
  id,
  title,
  "@type": type,
  actions: { toggle: {} },
  properties: { level: { type: "number" } },
});

let pg: TestPostgres;
let nats: TestNats;
let log: JetStreamEventLog;
let database: Database;
let runner: ProjectionRunner;
let bff: Bff;
let dataDir: string;
let url: string;
const tokens: Record<string, string> = {};

const caughtUp = () =>
  waitFor(async () => (await projectionStatus(database.db, log)).every((s) => s.lag === 0), 30_000, "projections");

async function login(user: string, password: string) {
  const r = await gql(
    url,
    `mutation($u:String!,$p:String!){ login(user:$u,password:$p){ __typename ... on Session { accessToken refreshToken } ... on Problem { message } } }`,
    { u: user, p: password },
  );
  return r.data?.login as { __typename: string; accessToken?: string; refreshToken?: string; message?: string };
}

beforeAll(async () => {
  [pg, nats] = await Promise.all([startTestPostgres(), startTestNats()]);
  log = await JetStreamEventLog.open({ servers: nats.url, settings: loadConfig({}) });
  database = await openDatabase({ url: await freshDatabaseUrl(pg.url) });
  await migrate(database);
  runner = new ProjectionRunner(database.db, log, PROJECTIONS, { maxWaitMs: 10 });
  await runner.start();
  dataDir = await mkdtemp(join(tmpdir(), "spokes-bff-"));
  const logger = createLogger("error");
  expect(await ensureAdmin({ log, logger, password: "admin-password", argon2: fast })).toEqual({ created: true });
  expect(await ensureAdmin({ log, logger, password: "other" })).toEqual({ created: false });
  const hash = await hashPassword("pass-word", fast);
  const user = (u: string) => [
    { subject: subjects.user(u), type: "spokes.UserAdded", data: {} },
    { subject: subjects.user(u), type: "spokes.PasswordChanged", data: { passwordHash: hash } },
  ];
  const kitchen = subjects.group("kitchen");
  const garage = subjects.group("garage");
  await log.appendMany([
    { subject: subjects.thingTd("lamp-1"), type: "spokes.ThingDescribed", data: td("lamp-1", "Kitchen lamp", "Light") },
    { subject: subjects.thingTd("lamp-2"), type: "spokes.ThingDescribed", data: td("lamp-2", "Garage lamp", "Light") },
    { subject: subjects.thingTd("meter-9"), type: "spokes.ThingDescribed", data: td("meter-9", "Meter", "Meter") },
    ...user("vera"),
    ...user("otto"),
    ...user("gary"),
    { subject: kitchen, type: "spokes.GroupCreated", data: {} },
    { subject: kitchen, type: "spokes.ThingAddedToGroup", data: { thing: "lamp-1" } },
    { subject: kitchen, type: "spokes.MemberAdded", data: { user: "vera", role: "viewer" } },
    { subject: kitchen, type: "spokes.MemberAdded", data: { user: "otto", role: "operator" } },
    { subject: garage, type: "spokes.GroupCreated", data: {} },
    { subject: garage, type: "spokes.ThingAddedToGroup", data: { thing: "lamp-2" } },
    { subject: garage, type: "spokes.MemberAdded", data: { user: "gary", role: "manager" } },
    { subject: subjects.property("lamp-1", "level"), type: "spokes.PropertyReported", data: 7 },
  ]);
  await caughtUp();
  bff = await createBff({ db: database.db, log, dataDir, logger, accessTtlMs: 60_000 });
  url = `http://127.0.0.1:${await bff.listen(0, "127.0.0.1")}/graphql`;
  for (const [u, p] of [
    ["admin", "admin-password"],
    ["vera", "pass-word"],
    ["otto", "pass-word"],
    ["gary", "pass-word"],
  ] as const) {
    const s = await login(u, p);
    expect(s.__typename).toBe("Session");
    tokens[u] = s.accessToken as string;
  }
}, 120_000);

afterAll(async () => {
  await bff?.close();
  await runner?.stop();
  await log?.close();
  await database?.close();
  await Promise.all([nats?.stop(), pg?.stop()]);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const THINGS = `query($text:String,$group:String,$first:Int,$after:String){ things(text:$text,group:$group,first:$first,after:$after){ nodes { id title groups latestValues { name value } } pageInfo { endCursor hasNextPage } } }`;
const ids = (r: Awaited<ReturnType<typeof gql>>) => ((r.data?.things.nodes ?? []) as { id: string }[]).map((n) => n.id);

describe("BFF over HTTP", () => {
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

  const INVOKE = `mutation { invokeAction(thing: "lamp-1", name: "toggle", input: {on: true}, ttl: 60) { __typename ... on ActionInvocation { actionId } } }`;
  it.each([
    ["vera", "Forbidden"],
    ["otto", "ActionInvocation"],
    ["gary", "NotFound"],
    ["admin", "ActionInvocation"],
  ])("role matrix: %s invoking an action gets %s", async (user, typename) => {
    const r = await gql(url, INVOKE, {}, tokens[user]);
    expect(r.data?.invokeAction.__typename).toBe(typename);
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
