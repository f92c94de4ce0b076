/**
 * Provisioning as devices and administrators meet it: the hub started with `spokes start` (embedded nats-server,
 * a real Postgres for its read models), devices calling the HTTP endpoints, an administrator using GraphQL and the
 * `spokes device` commands, and a device registry in this process standing for any binding (same data folder,
 * same stream) to show which credentials the hub accepts.
 */
import "reflect-metadata";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as x509 from "@peculiar/x509";
import { Bonjour, type Service } from "bonjour-service";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeviceRegistry } from "../../core/device-registry.ts";
import { UnauthenticatedError } from "../../core/errors.ts";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { deviceFilter } from "../../core/provisioning.ts";
import { freshDatabaseUrl, waitFor } from "../../projections/test-support.ts";
import { spawnUntil, spokes, stopAllStarted } from "../harness/cli.ts";
import { type HubEnv, hubEnv, openHubLog } from "../harness/hub.ts";
import { startTestPostgres, type TestPostgres } from "../harness/postgres.ts";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const RATE = 100;

let pg: TestPostgres;
let dir: string;
let env: HubEnv;
let base: string;
let adminToken: string;
let userToken: string;
let log: JetStreamEventLog;
let registry: DeviceRegistry;

async function gql(query: string, variables: Record<string, unknown> = {}, token = adminToken) {
  const res = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: test reads whatever the query selected
  return (await res.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function login(user: string, password: string): Promise<string> {
  const q = `mutation($u: String!, $p: String!) { login(user: $u, password: $p) { __typename ... on Session { accessToken } } }`;
  let token: string | undefined;
  await waitFor(
    async () => {
      token = (await gql(q, { u: user, p: password }, "")).data?.login?.accessToken;
      return token !== undefined;
    },
    30_000,
    `login of ${user}`,
  );
  return token as string;
}

const post = (body: unknown) =>
  fetch(`${base}/provisioning/requests`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const poll = (device: string, nonce?: string) =>
  fetch(`${base}/provisioning/requests/${encodeURIComponent(device)}`, {
    headers: nonce ? { "provisioning-nonce": nonce } : {},
  });

const nonce = () => `nonce-${crypto.randomUUID()}`;

/** A device's TD published over the hub's HTTP device endpoint with its token: the answer's status. */
async function publishTd(device: string, token: string): Promise<number> {
  const thing = `urn:spokes:${device}`;
  const res = await fetch(`${base}/things/${encodeURIComponent(thing)}/td`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ id: thing, title: device, properties: { level: { type: "number" } } }),
  });
  await res.body?.cancel();
  return res.status;
}

const mqttLogin = (device: string, token: string) =>
  mqtt.connectAsync(`mqtt://127.0.0.1:${env.SPOKES_MQTT_PORT}`, {
    username: device,
    password: token,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });

async function csrFor(device: string): Promise<string> {
  const keys = (await crypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${device}`,
    keys,
    signingAlgorithm: ALG,
  });
  return csr.toString("pem");
}

async function publicKeyPem(): Promise<string> {
  const keys = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  return new x509.PublicKey(await crypto.subtle.exportKey("spki", keys.publicKey)).toString("pem");
}

async function verifiesAgainstHubCa(certificate: string): Promise<boolean> {
  const ca = new x509.X509Certificate(await readFile(join(dir, "hub-ca.crt.pem"), "utf8"));
  const cert = new x509.X509Certificate(certificate);
  return cert.issuer === ca.subject && (await cert.verify({ publicKey: ca.publicKey }));
}

const provisioningHead = async () => (await log.stats()).find((s) => s.stream === "PROVISIONING")?.lastSeq ?? 0;

async function deviceEvents(device: string) {
  const out: { subject: string; data: Record<string, unknown> }[] = [];
  for await (const e of log.read({ stream: "PROVISIONING", filter: deviceFilter(device) })) {
    out.push({ subject: e.subject, data: e.data as Record<string, unknown> });
  }
  return out;
}

const PROVISIONING = `device status seq wrongSecrets lockedUntil requestSecret certificate decidedBy reason`;
const decision = (
  field: string,
) => `mutation($device: ID!, $reason: String) { ${field}(device: $device, reason: $reason) {
  __typename ... on DeviceProvisioning { ${PROVISIONING} } ... on Problem { message } } }`;
const PREAPPROVE = `mutation($device: ID!, $secret: String, $mac: String, $publicKey: String) {
  preapproveDevice(device: $device, secret: $secret, mac: $mac, publicKey: $publicKey) {
    __typename ... on DeviceProvisioning { ${PROVISIONING} } ... on Problem { message } } }`;

beforeAll(async () => {
  pg = await startTestPostgres();
  dir = await mkdtemp(join(tmpdir(), "spokes-e2e-provisioning-"));
  env = await hubEnv(dir, {
    SPOKES_ADMIN_PASSWORD: "correct horse battery",
    SPOKES_POSTGRES_URL: await freshDatabaseUrl(pg.url),
    SPOKES_DISCOVERY_NAME: `Spokes e2e ${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    SPOKES_PROVISIONING_RATE: String(RATE),
  });
  base = `http://127.0.0.1:${env.SPOKES_HTTP_PORT}`;
  await spawnUntil("node", ["start"], env, /Spokes ready/);
  adminToken = await login("admin", env.SPOKES_ADMIN_PASSWORD as string);
  const added = await gql(`mutation { addUser(user: "vera", password: "vera's password") { __typename } }`);
  expect(added.data?.addUser.__typename).toBe("User");
  userToken = await login("vera", "vera's password");
  log = await openHubLog(env);
  registry = await DeviceRegistry.open({ log, dataDir: dir });
}, 120_000);

afterAll(async () => {
  await registry?.close();
  await log?.close();
  await stopAllStarted();
  await pg?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("provisioning end to end", () => {
  it("Given a device pre-approved with an out-of-band secret, When it requests with that secret, Then it is approved at once with a token and a certificate from the hub CA", async () => {
    const pre = await gql(PREAPPROVE, { device: "sensor-ok", secret: "open sesame 42" });
    expect(pre.data?.preapproveDevice).toMatchObject({ __typename: "DeviceProvisioning", status: "PREAPPROVED" });
    const res = await post({
      device: "sensor-ok",
      nonce: nonce(),
      secret: "open sesame 42",
      csr: await csrFor("sensor-ok"),
    });
    expect(res.status).toBe(201);
    const answer = await res.json();
    expect(answer).toMatchObject({ device: "sensor-ok", status: "active" });
    expect(answer.token).toEqual(expect.any(String));
    expect(await verifiesAgainstHubCa(answer.certificate)).toBe(true);
    expect(answer.caCertificate).toBe(await readFile(join(dir, "hub-ca.crt.pem"), "utf8"));
    await expect(registry.authenticate({ token: answer.token })).resolves.toEqual({ device: "sensor-ok" });
    await expect(registry.authenticate({ certificate: answer.certificate })).resolves.toEqual({ device: "sensor-ok" });
    // Only hashes reach the log: neither the secret nor the token is stored.
    const stored = JSON.stringify(await deviceEvents("sensor-ok"));
    expect(stored).not.toContain("open sesame 42");
    expect(stored).not.toContain(answer.token);
  });

  it("Given a device pre-approved with a secret, When it requests with a wrong one, Then its request stays pending and is never approved", async () => {
    await gql(PREAPPROVE, { device: "sensor-wrong", secret: "the right secret" });
    const n = nonce();
    const res = await post({ device: "sensor-wrong", nonce: n, secret: "a wrong secret" });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ device: "sensor-wrong", status: "pending" });
    const polled = await poll("sensor-wrong", n);
    expect(polled.status).toBe(200);
    expect(await polled.json()).toEqual({ device: "sensor-wrong", status: "pending" });
    const status = await gql(`query { deviceProvisioning(device: "sensor-wrong") { ${PROVISIONING} } }`);
    expect(status.data?.deviceProvisioning).toMatchObject({
      status: "PENDING",
      requestSecret: "wrong",
      wrongSecrets: 1,
    });
    await waitFor(
      async () => {
        const q = await gql("{ pendingProvisioningRequests { device status } }");
        return q.data?.pendingProvisioningRequests.some((r: { device: string }) => r.device === "sensor-wrong");
      },
      30_000,
      "the pending request in the read model",
    );
    expect((await deviceEvents("sensor-wrong")).map((e) => e.subject.split(".").pop())).toEqual([
      "preapproved",
      "requested",
    ]);
  });

  it("Given a pending request with a public key, When an administrator approves it, Then the device collects a token and a certificate once", async () => {
    const n = nonce();
    const res = await post({ device: "gateway-9", nonce: n, publicKey: await publicKeyPem() });
    expect(res.status).toBe(202);
    const approved = await gql(decision("approveDevice"), { device: "gateway-9" });
    expect(approved.data?.approveDevice).toMatchObject({ status: "APPROVED", decidedBy: "admin" });
    const collected = await poll("gateway-9", n);
    expect(collected.status).toBe(201);
    const answer = await collected.json();
    expect(answer.status).toBe("active");
    expect(await verifiesAgainstHubCa(answer.certificate)).toBe(true);
    await expect(registry.authenticate({ device: "gateway-9", token: answer.token })).resolves.toEqual({
      device: "gateway-9",
    });
    const again = await (await poll("gateway-9", n)).json();
    expect(again).toEqual({ device: "gateway-9", status: "active", certificate: answer.certificate });
    expect(await (await poll("gateway-9", nonce())).json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });

  it("Given a pending request, When an administrator approves it with `spokes device`, Then the device gets its token", async () => {
    const n = nonce();
    expect((await post({ device: "cli-dev", nonce: n })).status).toBe(202);
    const pending = await spokes("node", ["device", "list", "--status", "pending"], env);
    expect(pending.code).toBe(0);
    expect(pending.stdout).toMatch(/cli-dev\s+pending/);
    const approve = await spokes("node", ["device", "approve", "cli-dev", "--by", "operator-jo"], env);
    expect(approve).toMatchObject({ code: 0 });
    expect(approve.stdout).toMatch(/^cli-dev: approved/);
    const answer = await (await poll("cli-dev", n)).json();
    expect(answer.token).toEqual(expect.any(String));
    expect(answer.certificate).toBeUndefined();
    const status = await spokes("node", ["device", "status", "cli-dev", "--json"], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ device: "cli-dev", status: "active", decidedBy: "operator-jo" });
    const twice = await spokes("node", ["device", "approve", "cli-dev"], env);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/cannot approve a device that is active/);
  });

  it("Given `spokes device preapprove --generate-secret`, When the device requests with the printed secret, Then it is approved at once", async () => {
    const pre = await spokes("node", ["device", "preapprove", "label-secret", "--generate-secret"], env);
    expect(pre.code).toBe(0);
    const secret = /out-of-band secret \(shown once\): (\S+)/.exec(pre.stdout)?.[1];
    expect(secret).toEqual(expect.any(String));
    const res = await post({ device: "label-secret", nonce: nonce(), secret });
    expect(res.status).toBe(201);
    expect((await res.json()).status).toBe("active");
    expect(JSON.stringify(await deviceEvents("label-secret"))).not.toContain(secret as string);
  });

  it("Given a device pre-approved with a secret, When it requests over CoAP (libcoap coap-client, block-wise), Then it is approved at once and its HTTP poll sees the same request", async () => {
    await gql(PREAPPROVE, { device: "sensor-coap", secret: "coap label secret" });
    const n = nonce();
    const body = join(dir, "coap-request.json");
    await writeFile(body, JSON.stringify({ device: "sensor-coap", nonce: n, secret: "coap label secret" }));
    const coapUrl = `coap://127.0.0.1:${env.SPOKES_COAP_PORT}/provisioning/requests`;
    const { stdout } = await promisify(execFile)(
      "coap-client-notls",
      ["-B", "10", "-m", "post", "-t", "json", "-b", "256", "-f", body, coapUrl],
      { timeout: 30_000 },
    );
    const answer = JSON.parse(stdout.slice(stdout.indexOf("{"), stdout.lastIndexOf("}") + 1));
    expect(answer).toMatchObject({ device: "sensor-coap", status: "active" });
    await expect(registry.authenticate({ token: answer.token })).resolves.toEqual({ device: "sensor-coap" });
    const polled = await poll("sensor-coap", n);
    expect(polled.status).toBe(200);
    expect(await polled.json()).toEqual({ device: "sensor-coap", status: "active" });
  });

  it("Given a pending request, When an administrator rejects it, Then the device learns why, and may ask again", async () => {
    const n = nonce();
    expect((await post({ device: "stranger", nonce: n })).status).toBe(202);
    const rejected = await gql(decision("rejectDevice"), { device: "stranger", reason: "unknown hardware" });
    expect(rejected.data?.rejectDevice).toMatchObject({ status: "REJECTED", reason: "unknown hardware" });
    expect(await (await poll("stranger", n)).json()).toEqual({
      device: "stranger",
      status: "rejected",
      reason: "unknown hardware",
    });
    expect((await post({ device: "stranger", nonce: nonce() })).status).toBe(202);
    const unknown = await gql(decision("rejectDevice"), { device: "no-such-device" });
    expect(unknown.data?.rejectDevice).toMatchObject({ __typename: "NotFound" });
  });

  it("Given an active device connected over MQTT, When an administrator revokes it, Then it is disconnected and its token and certificate are refused everywhere", async () => {
    const answer = await (await post({ device: "doomed", nonce: nonce(), csr: await csrFor("doomed") })).json();
    expect(answer.status).toBe("pending");
    await gql(decision("approveDevice"), { device: "doomed" });
    // Approved but not yet collected: a second request (someone else's nonce) cannot take its place.
    expect((await post({ device: "doomed", nonce: nonce() })).status).toBe(409);
    expect((await deviceEvents("doomed")).map((e) => e.subject.split(".").pop())).toEqual(["requested", "approved"]);

    await gql(PREAPPROVE, { device: "victim", secret: "victim secret" });
    const creds = await (
      await post({ device: "victim", nonce: nonce(), secret: "victim secret", csr: await csrFor("victim") })
    ).json();
    await expect(registry.authenticate({ token: creds.token })).resolves.toEqual({ device: "victim" });
    expect(await publishTd("victim", creds.token)).toBe(204);
    const connected = await mqttLogin("victim", creds.token);
    const closed = new Promise<void>((resolve) => connected.once("close", () => resolve()));
    const gone = new Promise<string>((resolve) => registry.onDeactivated(resolve));

    const revoked = await gql(decision("revokeDevice"), { device: "victim", reason: "lost in transit" });
    expect(revoked.data?.revokeDevice).toMatchObject({ status: "REVOKED", reason: "lost in transit" });
    await closed;
    expect(connected.connected).toBe(false);
    expect(await gone).toBe("victim");
    await registry.caughtUp(revoked.data?.revokeDevice.seq);
    await expect(registry.authenticate({ token: creds.token })).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(registry.authenticate({ certificate: creds.certificate })).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
    expect(await publishTd("victim", creds.token)).toBe(401);
    await expect(mqttLogin("victim", creds.token)).rejects.toThrow();
    const enable = await gql(decision("enableDevice"), { device: "victim" });
    expect(enable.data?.enableDevice).toMatchObject({ __typename: "Conflict" });
  });

  it("Given an active device, When disabled and enabled with `spokes device`, Then its token is refused, then accepted", async () => {
    await gql(PREAPPROVE, { device: "pausable", secret: "pausable secret" });
    const creds = await (await post({ device: "pausable", nonce: nonce(), secret: "pausable secret" })).json();
    expect(await publishTd("pausable", creds.token)).toBe(204);
    expect((await spokes("node", ["device", "disable", "pausable", "--reason", "maintenance"], env)).code).toBe(0);
    await registry.sync();
    expect(registry.isActive("pausable")).toBe(false);
    await expect(registry.authenticate({ token: creds.token })).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(await publishTd("pausable", creds.token)).toBe(401);
    expect((await spokes("node", ["device", "enable", "pausable"], env)).code).toBe(0);
    await registry.sync();
    await expect(registry.authenticate({ token: creds.token })).resolves.toEqual({ device: "pausable" });
    expect(await publishTd("pausable", creds.token)).toBe(204);
  });

  it("Given a device, When an administrator changes its settings with `spokes device settings`, Then the log, the registry and GraphQL hold them", async () => {
    await gql(PREAPPROVE, { device: "tuned" });
    const set = await spokes(
      "node",
      ["device", "settings", "tuned", "--delivery", "ordered", "--ttl", "10m", "--merge-writes", "on", "--json"],
      env,
    );
    expect(set.code).toBe(0);
    const stored = JSON.parse(set.stdout);
    expect(stored).toMatchObject({
      device: "tuned",
      settings: { actionDelivery: "ordered", actionTtlMs: 600_000, mergePropertyWrites: true },
    });
    await registry.caughtUp(stored.seq);
    expect(registry.settingsOf("tuned")).toEqual(stored.settings);
    const bad = await spokes("node", ["device", "settings", "tuned", "--delivery", "fifo"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--delivery: ordered, all or default/);
    const shown = await spokes("node", ["device", "settings", "tuned", "--ttl", "default"], env);
    expect(shown.stdout).toMatch(/delivery\s+ordered\nttl\s+\(hub default\)\nmerge-writes\s+on/);
    const unknown = await spokes("node", ["device", "settings", "never-seen"], env);
    expect(unknown.code).toBe(3);
    expect(unknown.stdout).toMatch(/never-seen: unknown/);
    const read = await gql(`{ deviceSettings(device: "tuned") { actionDelivery actionTtl mergePropertyWrites } }`);
    expect(read.data?.deviceSettings).toEqual({
      actionDelivery: "ORDERED",
      actionTtl: null,
      mergePropertyWrites: true,
    });
  });

  it.each([
    ["malformed JSON", "{not json", 400, "VALIDATION", undefined],
    ["an empty body", "", 400, "VALIDATION", undefined],
    ["a JSON array", "[]", 400, "VALIDATION", "(root)"],
    ["no nonce", { device: "bad-1" }, 400, "VALIDATION", "nonce"],
    ["a short nonce", { device: "bad-1", nonce: "short" }, 400, "VALIDATION", "nonce"],
    ["an unknown field", { device: "bad-1", nonce: nonce(), admin: true }, 400, "VALIDATION", "(root)"],
    ["an empty device id", { device: "", nonce: nonce() }, 400, "VALIDATION", "device"],
    [
      "an oversized CSR",
      {
        device: "bad-1",
        nonce: nonce(),
        csr: `-----BEGIN CERTIFICATE REQUEST-----\n${"A".repeat(9000)}\n-----END CERTIFICATE REQUEST-----`,
      },
      400,
      "VALIDATION",
      "csr",
    ],
    [
      "a CSR that is not one",
      {
        device: "bad-1",
        nonce: nonce(),
        csr: "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----",
      },
      400,
      "VALIDATION",
      "csr",
    ],
    [
      "a public key that is not one",
      { device: "bad-1", nonce: nonce(), publicKey: "ssh-ed25519 AAAA" },
      400,
      "VALIDATION",
      "publicKey",
    ],
    [
      "a body over 16 KiB",
      JSON.stringify({ device: "bad-1", nonce: nonce(), pad: "x".repeat(17_000) }),
      413,
      "TOO_LARGE",
      undefined,
    ],
  ])(
    "Given %s, When posted as a request, Then %i %s and nothing is stored",
    async (_what, body, status, code, path) => {
      const before = await provisioningHead();
      const res = await post(body);
      expect(res.status).toBe(status);
      const problem = await res.json();
      expect(problem.error.code).toBe(code);
      expect(problem.error.message).toEqual(expect.any(String));
      if (path) expect(problem.error.issues.map((i: { path: string }) => i.path)).toContain(path);
      expect(await provisioningHead()).toBe(before);
    },
  );

  it("Given a CSR whose signature was tampered with, When posted, Then it is refused and nothing is stored", async () => {
    const csr = new x509.Pkcs10CertificateRequest(await csrFor("tampered"));
    const raw = new Uint8Array(csr.rawData);
    raw[raw.length - 5] = (raw[raw.length - 5] ?? 0) ^ 0xff;
    const before = await provisioningHead();
    const res = await post({
      device: "tampered",
      nonce: nonce(),
      csr: x509.PemConverter.encode(raw.buffer, "CERTIFICATE REQUEST"),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.issues[0].path).toBe("csr");
    expect(await provisioningHead()).toBe(before);
  });

  it("Given a request already received, When it is sent again (replayed), Then 409 and nothing changes", async () => {
    const body = { device: "replayed", nonce: nonce() };
    expect((await post(body)).status).toBe(202);
    const before = await provisioningHead();
    const replay = await post(body);
    expect(replay.status).toBe(409);
    expect((await replay.json()).error).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/replayed/) });
    expect(await provisioningHead()).toBe(before);
  });

  it("Given a request that earned credentials, When it is replayed, Then no new credentials are issued", async () => {
    await gql(PREAPPROVE, { device: "once", secret: "once secret" });
    const body = { device: "once", nonce: nonce(), secret: "once secret" };
    expect((await post(body)).status).toBe(201);
    const before = await provisioningHead();
    const replay = await post(body);
    expect(replay.status).toBe(409);
    expect(await replay.json()).not.toHaveProperty("token");
    expect(await provisioningHead()).toBe(before);
  });

  it("Given polls with a missing nonce, a wrong nonce or a bad id, When sent, Then clear errors", async () => {
    expect((await (await poll("replayed")).json()).error.code).toBe("VALIDATION");
    expect((await (await poll("replayed", nonce())).json()).error.code).toBe("NOT_FOUND");
    expect((await (await poll("unknown-device", nonce())).json()).error.code).toBe("NOT_FOUND");
    const bad = await fetch(`${base}/provisioning/requests/%E0%A4%A`, { headers: { "provisioning-nonce": nonce() } });
    expect(bad.status).toBe(400);
  });

  it("Given someone guessing a device's out-of-band secret, When the guesses go on, Then each is recorded, the device locks out, and it is never approved", async () => {
    await gql(PREAPPROVE, { device: "target", secret: "correct secret!" });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await post({ device: "target", nonce: nonce(), secret: `guess ${i}` })).status);
    }
    // First guess: recorded as a pending request; then refusals; the fifth locks the device out.
    expect(statuses).toEqual([202, 403, 403, 403, 429, 429]);
    const before = await provisioningHead();
    const right = await post({ device: "target", nonce: nonce(), secret: "correct secret!" });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get("retry-after"))).toBeGreaterThan(60);
    expect((await right.json()).error.code).toBe("RATE_LIMITED");
    expect(await provisioningHead()).toBe(before);
    const events = await deviceEvents("target");
    expect(events.map((e) => e.subject.split(".").pop())).toEqual([
      "preapproved",
      "requested",
      "refused",
      "refused",
      "refused",
      "refused",
    ]);
    expect(events.at(-1)?.data).toMatchObject({ secretCheck: "wrong", until: expect.any(String) });
    const status = await gql(`query { deviceProvisioning(device: "target") { ${PROVISIONING} } }`);
    expect(status.data?.deviceProvisioning).toMatchObject({ status: "PENDING", wrongSecrets: 5 });
    expect(status.data?.deviceProvisioning.lockedUntil).toEqual(expect.any(String));
    expect(JSON.stringify(events)).not.toMatch(/guess \d|correct secret/);
  });

  it("Given a user who is not an administrator, When they list or decide on devices, Then they are refused", async () => {
    const list = await gql("{ devices { id } }", {}, userToken);
    expect(list.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const approve = await gql(decision("approveDevice"), { device: "replayed" }, userToken);
    expect(approve.data?.approveDevice).toMatchObject({ __typename: "Forbidden" });
    const pre = await gql(PREAPPROVE, { device: "sneaky" }, userToken);
    expect(pre.data?.preapproveDevice).toMatchObject({ __typename: "Forbidden" });
    const discovery = await gql("mutation { setDiscovery(enabled: true) { __typename } }", {}, userToken);
    expect(discovery.data?.setDiscovery.__typename).toBe("Forbidden");
    const settings = await gql(
      `mutation { changeDeviceSettings(device: "replayed", actionDelivery: ORDERED) { __typename } }`,
      {},
      userToken,
    );
    expect(settings.data?.changeDeviceSettings.__typename).toBe("Forbidden");
    const read = await gql(`{ deviceSettings(device: "replayed") { actionDelivery } }`, {}, userToken);
    expect(read.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("Given a browser, When it reads /.well-known/wot, Then it gets the hub's Thing Directory description", async () => {
    const res = await fetch(`${base}/.well-known/wot`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/td+json");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const td = await res.json();
    expect(td).toMatchObject({ "@type": "ThingDirectory", base: `${base}/`, title: "Spokes hub" });
    expect(td.actions.requestProvisioning.forms[0]).toMatchObject({
      href: "provisioning/requests",
      "htv:methodName": "POST",
    });
    expect(td.properties.things.forms[0]).toMatchObject({ href: "graphql", security: "bearer_sc" });
    expect(td.links).toContainEqual(expect.objectContaining({ href: `mqtt://127.0.0.1:${env.SPOKES_MQTT_PORT}` }));
    expect(td.links).toContainEqual(expect.objectContaining({ href: `coap://127.0.0.1:${env.SPOKES_COAP_PORT}` }));
  });

  it("Given an administrator, When they switch discovery on and off, Then an mDNS browser sees the hub appear and go", async () => {
    const browser = new Bonjour({}, () => {});
    // One browser sees both: a goodbye only means something to a browser that knew the service.
    const b = browser.find({ type: "wot" });
    const mine = (s: Service) => s.name === env.SPOKES_DISCOVERY_NAME;
    try {
      const up = new Promise<Service>((resolve) => b.on("up", (s: Service) => mine(s) && resolve(s)));
      const down = new Promise<Service>((resolve) => b.on("down", (s: Service) => mine(s) && resolve(s)));
      const on = await gql("mutation { setDiscovery(enabled: true) { __typename ... on Discovery { enabled } } }");
      expect(on.data?.setDiscovery).toEqual({ __typename: "Discovery", enabled: true });
      const service = await up;
      expect(service.port).toBe(Number(env.SPOKES_HTTP_PORT));
      expect(service.txt).toMatchObject({ td: "/.well-known/wot", provisioning: "/provisioning/requests" });
      const off = await gql("mutation { setDiscovery(enabled: false) { __typename ... on Discovery { enabled } } }");
      expect(off.data?.setDiscovery).toEqual({ __typename: "Discovery", enabled: false });
      expect((await down).name).toBe(env.SPOKES_DISCOVERY_NAME);
      expect((await gql("{ discovery { available enabled } }")).data?.discovery).toEqual({
        available: true,
        enabled: false,
      });
    } finally {
      b.stop();
      await new Promise<void>((r) => browser.destroy(() => r()));
    }
  });

  it("Given the PROVISIONING stream, When a new registry replays it and the read model is rebuilt, Then both hold the same devices and statuses", async () => {
    await registry.sync();
    const replayed = await DeviceRegistry.open({ log, dataDir: dir });
    try {
      const view = (r: DeviceRegistry) =>
        Object.fromEntries(r.devices().map((s) => [s.device, { ...s, nonces: [...s.nonces].sort() }]));
      expect(view(replayed)).toEqual(view(registry));
      const statuses = Object.fromEntries(replayed.devices().map((s) => [s.device, s.status.toUpperCase()]));
      const rebuilt = await spokes("node", ["replay", "provisioning"], env);
      expect(rebuilt.code).toBe(0);
      const listed = await gql("{ devices { id status } }");
      const fromReadModel = Object.fromEntries(
        ((listed.data?.devices ?? []) as { id: string; status: string }[]).map((d) => [d.id, d.status]),
      );
      expect(fromReadModel).toEqual(statuses);
      const cli = JSON.parse((await spokes("node", ["device", "list", "--json"], env)).stdout) as {
        device: string;
        status: string;
      }[];
      expect(Object.fromEntries(cli.map((d) => [d.device, d.status.toUpperCase()]))).toEqual(statuses);
    } finally {
      await replayed.close();
    }
  });

  it("Given one address sending too many requests, When it goes past the rate, Then it gets 429 with Retry-After and nothing more is stored", async () => {
    const answers: Response[] = [];
    for (let i = 0; i < RATE + 5; i++) answers.push(await poll("flood", nonce()));
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0]?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const problem = (await limited[0]?.json()) as { error?: { code?: string } } | undefined;
    expect(problem?.error?.code).toBe("RATE_LIMITED");
    const before = await provisioningHead();
    expect((await post({ device: "flood", nonce: nonce() })).status).toBe(429);
    expect(await provisioningHead()).toBe(before);
  });
});
