/**
 * The provisioning path on Bun and Deno: the hub started on that runtime creates its CA, and a pre-approved device
 * gets a token and a certificate that verify against it (the Node path is covered in provisioning.e2e.test.ts).
 */
import "reflect-metadata";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { afterAll, describe, expect, it } from "vitest";
import { type Runtime, spawnUntil, spokes, stopAllStarted } from "../harness/cli.ts";
import { hubEnv } from "../harness/hub.ts";

const dirs: string[] = [];
afterAll(async () => {
  await stopAllStarted();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;

describe.each(["bun", "deno"] as Runtime[])("provisioning on %s", (runtime) => {
  it("Given a hub on this runtime and a pre-approved device, When it requests with its secret and a CSR, Then its certificate verifies against the hub CA", async () => {
    const dir = await mkdtemp(join(tmpdir(), `spokes-e2e-prov-${runtime}-`));
    dirs.push(dir);
    const env = await hubEnv(dir, { SPOKES_ADMIN_PASSWORD: "correct horse battery" });
    const hub = await spawnUntil(runtime, ["start"], env, /Spokes ready/, 120_000);
    const pre = await spokes(runtime, ["device", "preapprove", "rt-device", "--secret", "a long enough secret"], env);
    expect(pre).toMatchObject({ code: 0 });
    const keys = (await crypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
      name: "CN=rt-device",
      keys,
      signingAlgorithm: ALG,
    });
    const res = await fetch(`http://127.0.0.1:${env.SPOKES_HTTP_PORT}/provisioning/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        device: "rt-device",
        nonce: crypto.randomUUID(),
        secret: "a long enough secret",
        csr: csr.toString("pem"),
      }),
    });
    expect(res.status).toBe(201);
    const answer = (await res.json()) as { status: string; token: string; certificate: string };
    expect(answer.status).toBe("active");
    expect(answer.token.split(".")).toHaveLength(3);
    const ca = new x509.X509Certificate(await readFile(join(dir, "hub-ca.crt.pem"), "utf8"));
    expect(await new x509.X509Certificate(answer.certificate).verify({ publicKey: ca.publicKey })).toBe(true);
    const status = await spokes(runtime, ["device", "status", "rt-device", "--json"], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ device: "rt-device", status: "active", certificate: true });
    hub.child.kill("SIGTERM");
    expect(await hub.exited).toBe(0);
  });
});
