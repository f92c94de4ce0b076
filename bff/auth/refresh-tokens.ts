/**
 * Refresh tokens: 256 random bits handed to the client once; only their SHA-256 is stored, with the user and the
 * expiry. Using one rotates it (the old one is revoked, a new one issued); logging out revokes it, and changing a
 * password revokes all of the user's.
 */
export type RefreshRecord = { user: string; expiresAt: string };

/** Where refresh-token hashes live. Implementations: `JetStreamRefreshTokenStore`, `MemoryRefreshTokenStore`. */
export interface RefreshTokenStore {
  put(hash: string, record: RefreshRecord): Promise<void>;
  get(hash: string): Promise<RefreshRecord | undefined>;
  /** Revokes one token; false when it was unknown (or already revoked). */
  revoke(hash: string): Promise<boolean>;
  /** Revokes every token of the user. */
  revokeUser(user: string): Promise<void>;
}

/** Default refresh-token lifetime: 30 days. */
export const DEFAULT_REFRESH_TTL_MS = 30 * 24 * 3600 * 1000;

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

export function newRefreshToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
}

/** SHA-256 of the token, hex. Tokens are random and long, so a fast hash suffices (no salt needed). */
export async function refreshTokenHash(token: string): Promise<string> {
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token))));
}

/** Issues a refresh token for the user and stores its hash. */
export async function issueRefreshToken(
  store: RefreshTokenStore,
  user: string,
  ttlMs: number = DEFAULT_REFRESH_TTL_MS,
  now: Date = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = newRefreshToken();
  const expiresAt = new Date(now.getTime() + ttlMs);
  await store.put(await refreshTokenHash(token), { user, expiresAt: expiresAt.toISOString() });
  return { token, expiresAt };
}

/**
 * Consumes a refresh token: returns its user and revokes it when it is known and unexpired, else undefined.
 * Of two concurrent uses of one token only one gets the user (the store's revoke decides).
 */
export async function consumeRefreshToken(
  store: RefreshTokenStore,
  token: string,
  now: Date = new Date(),
): Promise<string | undefined> {
  const hash = await refreshTokenHash(token);
  const record = await store.get(hash);
  if (!record) return undefined;
  if (!(await store.revoke(hash))) return undefined;
  return Date.parse(record.expiresAt) > now.getTime() ? record.user : undefined;
}

/** An in-process store, for tests and single-process tools. */
export class MemoryRefreshTokenStore implements RefreshTokenStore {
  private readonly records = new Map<string, RefreshRecord>();
  async put(hash: string, record: RefreshRecord) {
    this.records.set(hash, record);
  }
  async get(hash: string) {
    return this.records.get(hash);
  }
  async revoke(hash: string) {
    return this.records.delete(hash);
  }
  async revokeUser(user: string) {
    for (const [hash, r] of this.records) if (r.user === user) this.records.delete(hash);
  }
}
