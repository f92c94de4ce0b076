/**
 * Device tokens: JWTs signed with EdDSA (Ed25519) whose `sub` is the device id. The key is generated on first use
 * and kept in the data folder (owner-readable only), so every process sharing the folder issues and accepts the
 * same tokens. A token alone is not enough: the registry also requires its SHA-256 to be the device's current
 * credential, so a re-provisioned or revoked device's old tokens stop working.
 */
import { jwtVerify, SignJWT } from "jose";
import { loadOrCreateSigningKeys, type SigningKeys } from "./signing-keys.ts";

export type DeviceTokenKeys = SigningKeys;

export const DEVICE_KEY_FILE = "device-signing-key.jwk.json";
export const DEVICE_ISSUER = "spokes";
export const DEVICE_AUDIENCE = "spokes-device";

/** Loads the device-token key from `dataDir`, creating it on first call. Safe when several processes race. */
export const loadOrCreateDeviceKeys = (dataDir: string): Promise<DeviceTokenKeys> =>
  loadOrCreateSigningKeys(dataDir, DEVICE_KEY_FILE);

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
