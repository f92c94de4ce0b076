/**
 * Remembers access tokens whose signature and claims were verified, until they expire, so a client that sends
 * the same token with every request pays for the EdDSA check once. Only the verdict "valid for user U until T"
 * is kept; expiry is checked again on every use, and refused tokens are never remembered.
 */
import { decodeJwt } from "jose";
import { type TokenCheck, verifyAccessToken } from "./access-tokens.ts";
import type { SigningKeys } from "./keys.ts";

/** Tokens remembered at most; the oldest are forgotten first. */
const MAX_TOKENS = 10_000;

export type TokenVerifier = (token: string, now?: Date) => Promise<TokenCheck>;

export function cachedTokenVerifier(keys: SigningKeys, max = MAX_TOKENS): TokenVerifier {
  const known = new Map<string, { user: string; expiresAtMs: number }>();
  return async (token, now = new Date()) => {
    const seen = known.get(token);
    if (seen) {
      if (seen.expiresAtMs > now.getTime()) return { ok: true, user: seen.user };
      known.delete(token);
      return { ok: false, reason: "expired" };
    }
    const check = await verifyAccessToken(keys, token, now);
    if (!check.ok) return check;
    const exp = decodeJwt(token).exp;
    if (typeof exp === "number") {
      if (known.size >= max) known.delete(known.keys().next().value as string);
      known.set(token, { user: check.user, expiresAtMs: exp * 1000 });
    }
    return check;
  };
}
