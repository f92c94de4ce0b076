import "reflect-metadata";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provisionTestDevice } from "../test/harness/devices.ts";
import { startTestNats, type TestNats } from "../test/harness/nats.ts";
import { loadConfig } from "./config.ts";
import { DeviceRegistry } from "./device-registry.ts";
import { issueDeviceToken, loadOrCreateDeviceKeys } from "./device-tokens.ts";
import { ConflictError, UnauthenticatedError } from "./errors.ts";
import { JetStreamEventLog } from "./jetstream-event-log.ts";
import { randomSecret } from "./secrets.ts";

let nats: TestNats;
let log: JetStreamEventLog;
let dataDir: string;
let registry: DeviceRegistry;

beforeAll(async () => {
  nats = await startTestNats();
  log = await JetStreamEventLog.open({ servers: nats.url, settings: loadConfig({}) });
  dataDir = await mkdtemp(join(tmpdir(), "spokes-registry-"));
  registry = await DeviceRegistry.open({ log, dataDir });
}, 60_000);

afterAll(async () => {
  await registry?.close();
  await log?.close();
  await nats?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const refused = (p: Promise<unknown>) => expect(p).rejects.toBeInstanceOf(UnauthenticatedError);

async function csrFor(device: string) {
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
  const keys = (await crypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${device}`,
    keys,
    signingAlgorithm: alg,
  });
  return csr.toString("pem");
}

describe("DeviceRegistry", () => {
  it("Given a device provisioned through the flow, When it presents its token, Then it is that device", async () => {
    const { token } = await provisionTestDevice(log, dataDir, "sensor-1");
    await expect(registry.authenticate({ token })).resolves.toEqual({ device: "sensor-1" });
    await expect(registry.authenticate({ device: "sensor-1", token })).resolves.toEqual({ device: "sensor-1" });
    expect(registry.isActive("sensor-1")).toBe(true);
  });

  it("Given a token, When it names another device, is forged or is garbage, Then it is refused", async () => {
    const { token } = await provisionTestDevice(log, dataDir, "sensor-2");
    await refused(registry.authenticate({ device: "sensor-1", token }));
    const otherDir = await mkdtemp(join(tmpdir(), "spokes-other-"));
    const forged = await issueDeviceToken(await loadOrCreateDeviceKeys(otherDir), "sensor-2");
    await rm(otherDir, { recursive: true, force: true });
    await refused(registry.authenticate({ token: forged }));
    await refused(registry.authenticate({ token: "not.a.jwt" }));
    await refused(registry.authenticate({}));
  });

  it("Given a signed token that is not the device's current credential, When presented, Then it is refused", async () => {
    const { token } = await provisionTestDevice(log, dataDir, "sensor-3");
    const unissued = await issueDeviceToken(registry.keys, "sensor-3");
    await refused(registry.authenticate({ token: unissued }));
    await expect(registry.authenticate({ token })).resolves.toEqual({ device: "sensor-3" });
  });

  it("Given an active device, When it is disabled, Then listeners hear it and its token is refused until enabled", async () => {
    const { token } = await provisionTestDevice(log, dataDir, "sensor-4");
    await registry.sync();
    const heard: string[] = [];
    const deactivated = new Promise<void>((resolve) => {
      const off = registry.onDeactivated((d) => {
        heard.push(d);
        off();
        resolve();
      });
    });
    const disabled = await registry.flow.decide("disable", "sensor-4", "admin");
    await deactivated;
    expect(heard).toEqual(["sensor-4"]);
    await registry.caughtUp(disabled.seq);
    expect(registry.isActive("sensor-4")).toBe(false);
    await refused(registry.authenticate({ token }));
    const enabled = await registry.flow.decide("enable", "sensor-4", "admin");
    await registry.caughtUp(enabled.seq);
    await expect(registry.authenticate({ token })).resolves.toEqual({ device: "sensor-4" });
  });

  it("Given a revoked device, When it presents its token, Then it is refused for good", async () => {
    const { token } = await provisionTestDevice(log, dataDir, "sensor-5");
    const revoked = await registry.flow.decide("revoke", "sensor-5", "admin", "stolen");
    await registry.caughtUp(revoked.seq);
    await refused(registry.authenticate({ token }));
    await expect(registry.flow.decide("enable", "sensor-5", "admin")).rejects.toBeInstanceOf(ConflictError);
  });

  it("Given a device that sent a CSR, When it presents the issued certificate, Then it is that device", async () => {
    const { certificate, token } = await provisionTestDevice(log, dataDir, "gateway-1", {
      csr: await csrFor("gateway-1"),
    });
    expect(certificate).toMatch(/BEGIN CERTIFICATE/);
    const cert = new x509.X509Certificate(certificate as string);
    expect(await cert.verify({ publicKey: registry.ca.certificate.publicKey })).toBe(true);
    await expect(registry.authenticate({ certificate: certificate as string })).resolves.toEqual({
      device: "gateway-1",
    });
    await expect(registry.authenticate({ certificate: new Uint8Array(cert.rawData) })).resolves.toEqual({
      device: "gateway-1",
    });
    await expect(registry.authenticate({ certificate: certificate as string, token })).resolves.toEqual({
      device: "gateway-1",
    });
    await refused(registry.authenticate({ device: "sensor-1", certificate: certificate as string }));
  });

  it("Given a certificate from another CA for a provisioned device, When presented, Then it is refused", async () => {
    const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
    const keys = (await crypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
    const fake = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: "01",
      name: "CN=gateway-1",
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 864e5),
      keys,
      signingAlgorithm: alg,
    });
    await refused(registry.authenticate({ certificate: fake.toString("pem") }));
    await refused(
      registry.authenticate({ certificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----" }),
    );
  });

  it("Given two administrators deciding at once, When both append, Then one wins and the other gets ConflictError", async () => {
    await registry.flow.request({ device: "racer", nonce: randomSecret() });
    const results = await Promise.allSettled([
      registry.flow.decide("approve", "racer", "alice"),
      registry.flow.decide("reject", "racer", "bob"),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(ConflictError);
  });

  it("Given the stream, When a second registry replays it, Then it holds the same devices and states", async () => {
    await registry.sync();
    const again = await DeviceRegistry.open({ log, dataDir });
    try {
      const byId = (r: DeviceRegistry) =>
        Object.fromEntries(r.devices().map((s) => [s.device, { ...s, nonces: [...s.nonces].sort() }]));
      expect(byId(again)).toEqual(byId(registry));
      expect(again.devices().length).toBeGreaterThanOrEqual(7);
    } finally {
      await again.close();
    }
  });
});
