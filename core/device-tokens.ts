/**
 * Device tokens: JWTs signed with EdDSA (Ed25519) whose `sub` is the device id. The key is generated on first use
 * and kept in the data folder (owner-readable only), so every process sharing the folder issues and accepts the
 * same tokens. A token alone is not enough: the registry also requires its SHA-256 to be the device's current
 * credential, so a re-provisioned or revoked device's old tokens stop working.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT } from "jose";

export type DeviceTokenKeys = { privateKey: CryptoKey; publicKey: CryptoKey; kid: string };

export const DEVICE_KEY_FILE = "device-signing-key.jwk.json";
export const DEVICE_ISSUER = "spokes";
export const DEVICE_AUDIENCE = "spokes-device";

async function fromJwk(jwk: JWK): Promise<DeviceTokenKeys> {
  const { d: _d, ...pub } = jwk;
  return {
    privateKey: (await importJWK(jwk, "EdDSA")) as CryptoKey,
    publicKey: (await importJWK(pub, "EdDSA")) as CryptoKey,
    kid: String(jwk.kid),
  };
}

/** Loads the device-token key from `dataDir`, creating it on first call. Safe when several processes race. */
export async function loadOrCreateDeviceKeys(dataDir: string): Promise<DeviceTokenKeys> {
  const file = join(dataDir, DEVICE_KEY_FILE);
  try {
    return await fromJwk(JSON.parse(await readFile(file, "utf8")) as JWK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: crypto.randomUUID(), alg: "EdDSA" };
  await mkdir(dataDir, { recursive: true });
  try {
    // `wx` fails when another process wrote the file first; then its key wins.
    await writeFile(file, JSON.stringify(jwk), { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return fromJwk(JSON.parse(await readFile(file, "utf8")) as JWK);
  }
  return fromJwk(jwk);
}

/** Signs a device token. `ttlMs` 0 means it never expires (the registry still checks it on every use). */
export function issueDeviceToken(keys: DeviceTokenKeys, device: string, ttlMs = 0, now = new Date()): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: "EdDSA", typ: "JWT", kid: keys.kid })
    .setSubject(device)
    .setIssuer(DEVICE_ISSUER)
    .setAudience(DEVICE_AUDIENCE)
    .setIssuedAt(iat)
    .setJti(crypto.randomUUID());
  if (ttlMs > 0) jwt.setExpirationTime(iat + Math.max(1, Math.round(ttlMs / 1000)));
  return jwt.sign(keys.privateKey);
}

/** What a verified token says: the device, and when it expires (ms since the epoch) if it does. */
export type DeviceTokenClaims = { device: string; expiresAt?: number };

/**
 * The claims of a token whose signature (EdDSA only), issuer, audience and expiry hold; undefined otherwise.
 */
export async function verifyDeviceTokenClaims(
  keys: DeviceTokenKeys,
  token: string,
  now = new Date(),
): Promise<DeviceTokenClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, keys.publicKey, {
      algorithms: ["EdDSA"],
      issuer: DEVICE_ISSUER,
      audience: DEVICE_AUDIENCE,
      requiredClaims: ["sub", "iat"],
      currentDate: now,
    });
    if (typeof payload.sub !== "string" || payload.sub === "") return undefined;
    return { device: payload.sub, ...(typeof payload.exp === "number" ? { expiresAt: payload.exp * 1000 } : {}) };
  } catch {
    return undefined;
  }
}

/** The device a valid token names; undefined when it does not verify. */
export async function verifyDeviceToken(keys: DeviceTokenKeys, token: string, now = new Date()) {
  return (await verifyDeviceTokenClaims(keys, token, now))?.device;
}
