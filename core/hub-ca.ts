/**
 * The hub's certificate authority: an ECDSA P-256 key and self-signed certificate created on first start in the
 * data folder, which signs X.509 client certificates for provisioned devices (from their public key or CSR) and
 * checks the certificates devices present. Built on @peculiar/x509 (WebCrypto), so it runs on Node, Bun and Deno.
 */
import "reflect-metadata";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { ValidationError } from "./errors.ts";
import { sha256Hex } from "./secrets.ts";

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
export const CA_KEY_FILE = "hub-ca.key.pem";
export const CA_CERT_FILE = "hub-ca.crt.pem";
/** Longest CSR or public key accepted, in characters of PEM. */
export const MAX_KEY_PEM = 8192;

export type HubCa = { certificate: x509.X509Certificate; privateKey: CryptoKey; pem: string };
export type IssuedCertificate = { pem: string; hash: string; serial: string; notAfter: Date };

function pemBody(pem: string, label: string): ArrayBuffer {
  const m = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem);
  if (!m?.[1]) throw new Error(`no ${label} in the file`);
  return Uint8Array.from(atob(m[1].replace(/\s+/g, "")), (c) => c.charCodeAt(0)).buffer;
}

async function load(dataDir: string): Promise<HubCa> {
  const [keyPem, certPem] = await Promise.all([
    readFile(join(dataDir, CA_KEY_FILE), "utf8"),
    readFile(join(dataDir, CA_CERT_FILE), "utf8"),
  ]);
  const privateKey = await crypto.subtle.importKey("pkcs8", pemBody(keyPem, "PRIVATE KEY"), ALG, false, ["sign"]);
  return { certificate: new x509.X509Certificate(certPem), privateKey, pem: certPem };
}

const randomSerial = (): string =>
  // A positive 128-bit serial: the top bit cleared so DER does not read it as negative.
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (b, i) =>
    (i === 0 ? b & 0x7f : b).toString(16).padStart(2, "0"),
  ).join("");

/** Loads the CA from `dataDir`, creating it on the first call. Safe when several processes race. */
export async function loadOrCreateHubCa(dataDir: string, name = "Spokes hub CA"): Promise<HubCa> {
  try {
    return await load(dataDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const keys = (await crypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const now = new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${name.replace(/[,=+<>#;"\\]/g, " ")}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 20 * 365 * 864e5),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  const keyPem = x509.PemConverter.encode(pkcs8.buffer, "PRIVATE KEY");
  await mkdir(dataDir, { recursive: true });
  try {
    // The key first, exclusively: whoever writes it first also writes the certificate; the others wait and load.
    await writeFile(join(dataDir, CA_KEY_FILE), keyPem, { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    for (let i = 0; i < 100; i++) {
      try {
        return await load(dataDir);
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    return load(dataDir);
  }
  await writeFile(join(dataDir, CA_CERT_FILE), cert.toString("pem"), { mode: 0o644 });
  return load(dataDir);
}

/** A device's public key from SPKI PEM (or base64 DER), normalised to PEM; ValidationError when it is not one. */
export function parsePublicKey(text: string, path = "publicKey"): string {
  if (text.length > MAX_KEY_PEM)
    throw new ValidationError(`${path} is too large`, [{ path, message: `at most ${MAX_KEY_PEM} characters` }]);
  try {
    return new x509.PublicKey(text.includes("-----BEGIN") ? text : text.replace(/\s+/g, "")).toString("pem");
  } catch {
    throw new ValidationError(`${path} is not a public key`, [{ path, message: "expected an SPKI public key (PEM)" }]);
  }
}

/**
 * The public key of a PKCS#10 CSR (PEM), after checking its self-signature (the device holds the private key).
 * ValidationError for anything else.
 */
export async function parseCsr(text: string, path = "csr"): Promise<string> {
  if (text.length > MAX_KEY_PEM)
    throw new ValidationError(`${path} is too large`, [{ path, message: `at most ${MAX_KEY_PEM} characters` }]);
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(text);
  } catch {
    throw new ValidationError(`${path} is not a certificate request`, [
      { path, message: "expected a PKCS#10 CSR (PEM)" },
    ]);
  }
  const ok = await csr.verify().catch(() => false);
  if (!ok)
    throw new ValidationError(`${path} signature does not verify`, [
      { path, message: "the CSR's signature is invalid" },
    ]);
  return csr.publicKey.toString("pem");
}

/** Signs a client certificate for `device` over its public key (PEM). CN is the device id. */
export async function issueCertificate(
  ca: HubCa,
  device: string,
  publicKeyPem: string,
  ttlMs: number,
  now = new Date(),
): Promise<IssuedCertificate> {
  const name: x509.JsonName = [{ CN: [device] }];
  const notAfter = new Date(now.getTime() + ttlMs);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name,
    issuer: ca.certificate.subjectName,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    signingKey: ca.privateKey,
    publicKey: new x509.PublicKey(publicKeyPem),
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  return {
    pem: cert.toString("pem"),
    hash: await sha256Hex(new Uint8Array(cert.rawData)),
    serial: cert.serialNumber,
    notAfter,
  };
}

/**
 * Checks a presented certificate (PEM or DER) against the CA: signature, validity period. Returns the device id
 * (its CN) and the SHA-256 of its DER bytes, or undefined when it does not hold.
 */
export async function checkCertificate(
  ca: HubCa,
  presented: string | Uint8Array,
  now = new Date(),
): Promise<{ device: string; hash: string } | undefined> {
  try {
    const cert = new x509.X509Certificate(
      typeof presented === "string" ? presented : (presented as Uint8Array<ArrayBuffer>),
    );
    if (cert.issuer !== ca.certificate.subject) return undefined;
    if (!(await cert.verify({ publicKey: ca.certificate.publicKey, date: now }))) return undefined;
    const device = cert.subjectName.getField("CN")[0];
    if (!device) return undefined;
    return { device, hash: await sha256Hex(new Uint8Array(cert.rawData)) };
  } catch {
    return undefined;
  }
}
