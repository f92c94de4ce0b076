import { describe, expect, it } from "vitest";
import { consumeRefreshToken, issueRefreshToken, MemoryRefreshTokenStore, refreshTokenHash } from "./refresh-tokens.ts";

describe("refresh tokens", () => {
  it("Given an issued token, Then only its hash is stored and it can be used exactly once", async () => {
    const store = new MemoryRefreshTokenStore();
    const { token } = await issueRefreshToken(store, "alice");
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await store.get(token)).toBeUndefined();
    expect(await store.get(await refreshTokenHash(token))).toMatchObject({ user: "alice" });
    expect(await consumeRefreshToken(store, token)).toBe("alice");
    expect(await consumeRefreshToken(store, token)).toBeUndefined();
  });

  it("refuses an expired token, a revoked one and an unknown one", async () => {
    const store = new MemoryRefreshTokenStore();
    const old = await issueRefreshToken(store, "alice", 1000, new Date(Date.now() - 5000));
    expect(await consumeRefreshToken(store, old.token)).toBeUndefined();
    const revoked = await issueRefreshToken(store, "alice");
    await store.revoke(await refreshTokenHash(revoked.token));
    expect(await consumeRefreshToken(store, revoked.token)).toBeUndefined();
    expect(await consumeRefreshToken(store, "not-a-token")).toBeUndefined();
  });

  it("revokes all of one user's tokens and no one else's", async () => {
    const store = new MemoryRefreshTokenStore();
    const a1 = await issueRefreshToken(store, "alice");
    const a2 = await issueRefreshToken(store, "alice");
    const b = await issueRefreshToken(store, "bob");
    await store.revokeUser("alice");
    expect(await consumeRefreshToken(store, a1.token)).toBeUndefined();
    expect(await consumeRefreshToken(store, a2.token)).toBeUndefined();
    expect(await consumeRefreshToken(store, b.token)).toBe("bob");
  });
});
