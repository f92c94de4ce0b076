/**
 * The hub CA against OpenSSL, a peer nobody here wrote: CSRs OpenSSL makes are accepted, and the certificates the CA
 * issues verify with `openssl verify` as TLS client certificates.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CA_CERT_FILE, checkCertificate, type HubCa, issueCertificate, loadOrCreateHubCa, parseCsr } from "./hub-ca.ts";

let dir: string;
let ca: HubCa;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "spokes-ca-"));
  ca = await loadOrCreateHubCa(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, encoding: "utf8", stdio: "pipe" });

describe("hub CA with OpenSSL", () => {
  it.each([
    ["EC P-256", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]],
    ["Ed25519", ["-newkey", "ed25519"]],
    ["RSA 2048", ["-newkey", "rsa:2048"]],
  ])(
    "Given an OpenSSL %s CSR, When the CA signs it, Then openssl verifies a client certificate for the device",
    async (_kind, key) => {
      const device = `dev-${key[1]?.replace(/\W/g, "")}`;
      openssl([
        "req",
        "-new",
        ...key,
        "-nodes",
        "-keyout",
        `${device}.key`,
        "-subj",
        `/CN=${device}`,
        "-out",
        `${device}.csr`,
      ]);
      const publicKey = await parseCsr(await readFile(join(dir, `${device}.csr`), "utf8"));
      const cert = await issueCertificate(ca, device, publicKey, 864e5);
      await writeFile(join(dir, `${device}.crt`), cert.pem);
      const verified = openssl(["verify", "-purpose", "sslclient", "-CAfile", CA_CERT_FILE, `${device}.crt`]);
      expect(verified.trim()).toBe(`${device}.crt: OK`);
      expect(openssl(["x509", "-in", `${device}.crt`, "-noout", "-subject"]).trim()).toMatch(
        new RegExp(`CN ?= ?${device}$`),
      );
      expect(await checkCertificate(ca, cert.pem)).toEqual({ device, hash: cert.hash });
    },
  );

  it("Given the CA exists, When loaded again, Then it is the same CA", async () => {
    const again = await loadOrCreateHubCa(dir);
    expect(again.pem).toBe(ca.pem);
  });
});
