/**
 * The BFF's integration-test fixture: real nats-server and Postgres, the projections running, a seeded hub
 * (Things, users, groups with every role) and a BFF on a free port with each seeded user logged in.
 *
 * Kitchen holds lamp-1: vera viewer, otto operator, mia manager, kate group admin. Garage holds lamp-2: gary
 * manager. meter-9 is in no group. `admin` is the hub administrator.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../core/config.ts";
import type { AppendRequest } from "../core/event-log.ts";
import { JetStreamEventLog } from "../core/jetstream-event-log.ts";
import { createLogger } from "../core/log.ts";
import { subjects } from "../core/subjects.ts";
import { type Database, openDatabase } from "../projections/db/database.ts";
import { migrate } from "../projections/db/migrate.ts";
import { PROJECTIONS } from "../projections/registry.ts";
import { ProjectionRunner } from "../projections/runner.ts";
import { projectionStatus } from "../projections/status.ts";
import { freshDatabaseUrl, waitFor } from "../projections/test-support.ts";
import { startTestNats, startTestPostgres } from "../test/harness/index.ts";
import { hashPassword } from "./auth/password.ts";
import { ensureAdmin } from "./bootstrap-admin.ts";
import { type Bff, createBff } from "./server.ts";
import { gql } from "./test-client.ts";

export const FAST_ARGON2 = { memoryKiB: 1024, iterations: 1, parallelism: 1, hashLength: 32 };
export const USERS = ["vera", "otto", "mia", "kate", "gary"] as const;

export const td = (id: string, title: string, type: string) => ({
  id,
  title,
  "@type": type,
  actions: {
    toggle: {},
    dim: {
      input: {
        type: "object",
        required: ["level"],
        properties: { level: { type: "integer", minimum: 0, maximum: 100 } },
      },
    },
  },
  properties: {
    level: { type: "number" },
    mode: { type: "string", enum: ["eco", "boost"] },
    serial: { type: "string", readOnly: true },
  },
});

export type TestHub = {
  log: JetStreamEventLog;
  database: Database;
  bff: Bff;
  url: string;
  dataDir: string;
  /** Access tokens by user name (`admin` and USERS). */
  tokens: Record<string, string>;
  login(user: string, password: string): Promise<Session>;
  /** Resolves once every projection has read everything in the log. */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
};

type Session = { __typename: string; accessToken?: string; refreshToken?: string; message?: string };

function seed(hash: string): AppendRequest[] {
  const user = (u: string) => [
    { subject: subjects.user(u), type: "spokes.UserAdded", data: {} },
    { subject: subjects.user(u), type: "spokes.PasswordChanged", data: { passwordHash: hash } },
  ];
  const kitchen = subjects.group("kitchen");
  const garage = subjects.group("garage");
  const member = (user: string, role: string) => ({
    subject: kitchen,
    type: "spokes.MemberAdded",
    data: { user, role },
  });
  return [
    { subject: subjects.thingTd("lamp-1"), type: "spokes.ThingDescribed", data: td("lamp-1", "Kitchen lamp", "Light") },
    { subject: subjects.thingTd("lamp-2"), type: "spokes.ThingDescribed", data: td("lamp-2", "Garage lamp", "Light") },
    { subject: subjects.thingTd("meter-9"), type: "spokes.ThingDescribed", data: td("meter-9", "Meter", "Meter") },
    ...USERS.flatMap(user),
    { subject: kitchen, type: "spokes.GroupCreated", data: {} },
    { subject: kitchen, type: "spokes.ThingAddedToGroup", data: { thing: "lamp-1" } },
    member("vera", "viewer"),
    member("otto", "operator"),
    member("mia", "manager"),
    member("kate", "admin"),
    { subject: garage, type: "spokes.GroupCreated", data: {} },
    { subject: garage, type: "spokes.ThingAddedToGroup", data: { thing: "lamp-2" } },
    { subject: garage, type: "spokes.MemberAdded", data: { user: "gary", role: "manager" } },
    { subject: subjects.property("lamp-1", "level"), type: "spokes.PropertyReported", data: 7 },
  ];
}

/** A fresh database; retried while the server still says it is starting up (it accepts connections first). */
async function databaseOn(serverUrl: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await freshDatabaseUrl(serverUrl);
    } catch (err) {
      if (attempt > 50 || !String(err).includes("starting up")) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startTestHub(): Promise<TestHub> {
  const [pg, nats] = await Promise.all([startTestPostgres(), startTestNats()]);
  const log = await JetStreamEventLog.open({ servers: nats.url, settings: loadConfig({}) });
  const database = await openDatabase({ url: await databaseOn(pg.url) });
  await migrate(database);
  const runner = new ProjectionRunner(database.db, log, PROJECTIONS, { maxWaitMs: 10 });
  await runner.start();
  const dataDir = await mkdtemp(join(tmpdir(), "spokes-bff-"));
  const logger = createLogger("error");
  await ensureAdmin({ log, logger, password: "admin-password", argon2: FAST_ARGON2 });
  await log.appendMany(seed(await hashPassword("pass-word", FAST_ARGON2)));
  const caughtUp = () =>
    waitFor(async () => (await projectionStatus(database.db, log)).every((s) => s.lag === 0), 30_000, "projections");
  await caughtUp();
  const bff = await createBff({ db: database.db, log, dataDir, logger, accessTtlMs: 60_000 });
  const url = `http://127.0.0.1:${await bff.listen(0, "127.0.0.1")}/graphql`;
  const login = async (user: string, password: string) => {
    const r = await gql(
      url,
      `mutation($u:String!,$p:String!){ login(user:$u,password:$p){ __typename ... on Session { accessToken refreshToken } ... on Problem { message } } }`,
      { u: user, p: password },
    );
    return r.data?.login as Session;
  };
  const tokens: Record<string, string> = {};
  for (const [u, p] of [["admin", "admin-password"], ...USERS.map((u) => [u, "pass-word"])] as const) {
    const s = await login(u, p);
    if (!s.accessToken) throw new Error(`${u} could not log in: ${s.message}`);
    tokens[u] = s.accessToken;
  }
  return {
    log,
    database,
    bff,
    url,
    dataDir,
    tokens,
    login,
    caughtUp,
    async close() {
      await bff.close();
      await runner.stop();
      await log.close();
      await database.close();
      await Promise.all([nats.stop(), pg.stop()]);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
