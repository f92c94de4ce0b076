/**
 * The thin path as a person walks it, on every runtime: start the hub with its embedded nats-server, append a TD
 * and an event with the CLI, read them back, see them in `status`, stop with Ctrl-C, start again and still find them.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isAlive } from "../../bin/lib/state.ts";
import { ROOT, type Runtime, spawnUntil, spokes, stopAllStarted } from "../harness/cli.ts";
import { startTestNats } from "../harness/nats.ts";
import { freePort } from "../harness/ports.ts";

const runtimes: Runtime[] = ["node", "bun", "deno"];

async function gql(url: string, query: string, token?: string): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return res.json();
}

/** Logs in, retrying while the access projection catches up with the admin created at start. */
async function waitForLogin(url: string, user: string, password: string): Promise<string> {
  const mutation = `mutation { login(user: ${JSON.stringify(user)}, password: ${JSON.stringify(password)}) {
    __typename ... on Session { accessToken } } }`;
  let last: unknown;
  for (let i = 0; i < 50; i++) {
    last = await gql(url, mutation);
    const login = (last as { data?: { login?: { accessToken?: string } } }).data?.login;
    if (login?.accessToken) return login.accessToken;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`login failed: ${JSON.stringify(last)}`);
}
const dirs: string[] = [];
afterAll(async () => {
  await stopAllStarted();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe.each(runtimes)("the hub on %s", (runtime) => {
  it("starts, stores a TD and an event, shows them, stops cleanly and keeps them across a restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), `spokes-e2e-${runtime}-`));
    dirs.push(dir);
    const env = {
      SPOKES_DATA_DIR: dir,
      SPOKES_EMBEDDED_NATS_PORT: String(await freePort()),
      SPOKES_HTTP_PORT: String(await freePort()),
      SPOKES_ADMIN_PASSWORD: "correct horse battery",
    };
    const graphql = `http://127.0.0.1:${env.SPOKES_HTTP_PORT}/graphql`;
    let hub = await spawnUntil(runtime, ["start"], env, /Spokes ready/);
    expect(hub.output()).toMatch(
      new RegExp(
        `Spokes ready: GraphQL ${graphql}, MQTT 127\\.0\\.0\\.1:\\d+, CoAP/LwM2M udp 127\\.0\\.0\\.1:\\d+, ` +
          `NATS nats://127\\.0\\.0\\.1:${env.SPOKES_EMBEDDED_NATS_PORT} `,
      ),
    );

    const td = await spokes(runtime, ["append", "td", join(ROOT, "examples", "lamp.td.json")], env);
    expect(td, td.stderr).toMatchObject({ code: 0 });
    expect(td.stdout).toMatch(/^appended THINGS#1 things\.urn:example:lamp\.td/);
    const ev = await spokes(runtime, ["append", "event", "urn:example:lamp", "overheated", '{"celsius":81}'], env);
    expect(ev.stdout).toMatch(/^appended EVENTS#1 things\.urn:example:lamp\.event\.overheated/);

    const bad = await spokes(runtime, ["append", "property", "urn:example:lamp", "on", "{not json"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not valid JSON/);

    const tail = await spokes(runtime, ["tail", "--thing", "urn:example:lamp", "--from", "all", "--count", "2"], env);
    expect(tail.code).toBe(0);
    expect(tail.stdout).toContain('ThingDescribed td thing="urn:example:lamp"');
    expect(tail.stdout).toContain('EventEmitted event thing="urn:example:lamp" name="overheated" {"celsius":81}');

    // The projections catch up: the directory and history read models hold what was appended.
    let projections: { name: string; checkpoint: number; lag: number }[] = [];
    for (let i = 0; i < 100; i++) {
      projections = JSON.parse((await spokes(runtime, ["status", "--json"], env)).stdout).projections ?? [];
      const directory = projections.find((p) => p.name === "directory");
      const history = projections.find((p) => p.name === "history");
      if (directory?.checkpoint === 1 && history?.checkpoint === 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(projections.find((p) => p.name === "directory")).toMatchObject({ checkpoint: 1, lag: 0 });
    expect(projections.find((p) => p.name === "history")).toMatchObject({ checkpoint: 1, lag: 0 });
    // A web app logs in as the admin created on first start and finds the Thing through GraphQL.
    const token = await waitForLogin(graphql, "admin", env.SPOKES_ADMIN_PASSWORD);
    const things = await gql(graphql, "{ things { nodes { id title } } }", token);
    expect(things).toEqual({ data: { things: { nodes: [{ id: "urn:example:lamp", title: "Kitchen lamp" }] } } });
    const metrics = await (await fetch(graphql.replace("/graphql", "/metrics"))).text();
    expect(metrics).toMatch(/spokes_projection_lag\{projection="history",stream="EVENTS"\} 0/);

    const replayed = await spokes(runtime, ["replay", "history"], env);
    expect(replayed.stdout).toMatch(/replayed history: 1 events \(sequences 1–1\)/);

    const status = await spokes(runtime, ["status", "--json"], env);
    const parsed = JSON.parse(status.stdout) as {
      hub: { nats: { pid: number } };
      streams: { stream: string; messages: number }[];
    };
    expect(parsed.streams.find((s) => s.stream === "THINGS")?.messages).toBe(1);
    expect(parsed.streams.find((s) => s.stream === "EVENTS")?.messages).toBe(1);
    const natsPid = parsed.hub.nats.pid;

    hub.child.kill("SIGINT");
    expect(await hub.exited).toBe(0);
    expect(isAlive(natsPid)).toBe(false);
    expect(existsSync(join(dir, "hub.json"))).toBe(false);
    expect((await spokes(runtime, ["status"], env)).code).toBe(3);

    hub = await spawnUntil(runtime, ["start"], env, /Spokes ready/);
    const again = await spokes(runtime, ["tail", "things.>", "--from", "all", "--count", "2"], env);
    expect(again.stdout.split("\n").filter(Boolean)).toHaveLength(2);
    hub.child.kill("SIGTERM");
    expect(await hub.exited).toBe(0);
  });
});

describe("status against a NATS server of one's own", () => {
  it("Given a server that asks for a password and has no hub streams yet, When status runs with the URL's credentials, Then it says so without the password, and a wrong one is refused without it", async () => {
    const nats = await startTestNats({ args: ["--user", "hubuser", "--pass", "s3cret!"] });
    try {
      const env = { SPOKES_DATA_DIR: tmpdir() };
      const url = (pass: string) => nats.url.replace("nats://", `nats://hubuser:${encodeURIComponent(pass)}@`);
      const ok = await spokes("node", ["status"], { ...env, SPOKES_NATS_URL: url("s3cret!") });
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain("streams  none yet: no hub has run against this server");
      expect(ok.stdout + ok.stderr).not.toContain("s3cret");
      const refused = await spokes("node", ["status"], { ...env, SPOKES_NATS_URL: url("wrong-one") });
      expect(refused.code).not.toBe(0);
      expect(refused.stdout + refused.stderr).toMatch(/cannot reach NATS at nats:\/\/127\.0\.0\.1:\d+/);
      expect(refused.stdout + refused.stderr).not.toContain("wrong-one");
    } finally {
      await nats.stop();
    }
  });
});

describe("start-up checks", () => {
  it("refuses a bad configuration value with a message naming the variable", async () => {
    const r = await spokes("node", ["start"], { SPOKES_EVENTS_MAX_AGE: "a week", SPOKES_DATA_DIR: tmpdir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('SPOKES_EVENTS_MAX_AGE: expected a duration like 30s, 15m, 12h or 7d (got "a week")');
  });

  it("says what to do when no hub runs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "spokes-e2e-none-"));
    dirs.push(dir);
    const r = await spokes("node", ["append", "event", "x", "y", "1"], { SPOKES_DATA_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no hub runs with data folder .*npm start/);
  });
});

describe("the installed launcher", () => {
  it("runs the CLI from the machine's own Node, re-running itself with the project's Node when that one is too old", async () => {
    const { execFileSync } = await import("node:child_process");
    const systemNode = ["/usr/bin/node", "/usr/local/bin/node"].find((p) => existsSync(p)) ?? "node";
    const out = execFileSync(systemNode, [join(ROOT, "bin", "spokes.js"), "status", "--help"], { encoding: "utf8" });
    expect(out).toContain("usage: spokes status");
  });
});
