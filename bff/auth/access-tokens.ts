/**
 * Access tokens: short-lived JWTs signed with EdDSA (Ed25519). They carry only who the caller is; what the caller
 * may do is looked up in the access read model on every request, so a role change takes effect at once.
 */
import { errors, jwtVerify, SignJWT } from "jose";
import type { SigningKeys } from "./keys.ts";

export const ISSUER = "spokes";
export const AUDIENCE = "spokes-bff";
/** Default access-token lifetime: 15 minutes. */
export const DEFAULT_ACCESS_TTL_MS = 15 * 60 * 1000;

export type IssuedToken = { token: string; expiresAt: Date };

export async function issueAccessToken(
  keys: SigningKeys,
  user: string,
  ttlMs: number = DEFAULT_ACCESS_TTL_MS,
  now: Date = new Date(),
): Promise<IssuedToken> {
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + Math.max(1, Math.round(ttlMs / 1000));
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "EdDSA", typ: "JWT", kid: keys.kid })
    .setSubject(user)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(crypto.randomUUID())
    .sign(keys.privateKey);
  return { token, expiresAt: new Date(exp * 1000) };
}

/** Why a token was refused; the reason is for logs and tests, callers only learn that it was refused. */
export type TokenCheck = { ok: true; user: string } | { ok: false; reason: "expired" | "invalid" };

/**
 * Verifies signature, algorithm (EdDSA only: `none` and HMAC tricks are refused), issuer, audience and expiry.
 */
export async function verifyAccessToken(keys: SigningKeys, token: string, now: Date = new Date()): Promise<TokenCheck> {
  try {
    const { payload } = await jwtVerify(token, keys.publicKey, {
      algorithms: ["EdDSA"],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ["sub", "exp", "iat"],
      currentDate: now,
    });
    if (typeof payload.sub !== "string" || payload.sub === "") return { ok: false, reason: "invalid" };
    return { ok: true, user: payload.sub };
  } catch (err) {
    return { ok: false, reason: err instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}
