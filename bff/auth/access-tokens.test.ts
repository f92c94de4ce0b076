import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIENCE, ISSUER, issueAccessToken, verifyAccessToken } from "./access-tokens.ts";
import { KEY_FILE, loadOrCreateSigningKeys, type SigningKeys } from "./keys.ts";

let dir: string;
let keys: SigningKeys;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "spokes-bff-keys-"));
  keys = await loadOrCreateSigningKeys(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

describe("signing keys", () => {
  it("are created once, kept private in the data folder, and loaded again on the next start", async () => {
    expect((await stat(join(dir, KEY_FILE))).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateSigningKeys(dir);
    expect(again.kid).toBe(keys.kid);
    const { token } = await issueAccessToken(keys, "alice");
    expect(await verifyAccessToken(again, token)).toEqual({ ok: true, user: "alice" });
    expect(JSON.parse(await readFile(join(dir, KEY_FILE), "utf8")).crv).toBe("Ed25519");
  });
});

describe("access tokens", () => {
  it("Given a fresh token, Then it verifies to its user and expires after the lifetime", async () => {
    const now = new Date("2026-11-01T12:00:00Z");
    const { token, expiresAt } = await issueAccessToken(keys, "alice", 60_000, now);
    expect(expiresAt.toISOString()).toBe("2026-11-01T12:01:00.000Z");
    expect(await verifyAccessToken(keys, token, now)).toEqual({ ok: true, user: "alice" });
  });

  it("rejects an expired token", async () => {
    const { token } = await issueAccessToken(keys, "alice", 60_000, new Date(Date.now() - 3_600_000));
    expect(await verifyAccessToken(keys, token)).toEqual({ ok: false, reason: "expired" });
  });

  it("rejects a token signed by another key (forged)", async () => {
    const other = await loadOrCreateSigningKeys(join(dir, "other"));
    const { token } = await issueAccessToken(other, "admin");
    expect(await verifyAccessToken(keys, token)).toEqual({ ok: false, reason: "invalid" });
  });

  it("rejects a token whose payload was changed after signing", async () => {
    const { token } = await issueAccessToken(keys, "alice");
    const [h, p, s] = token.split(".") as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, "base64url").toString());
    expect(await verifyAccessToken(keys, `${h}.${b64({ ...payload, sub: "admin" })}.${s}`)).toMatchObject({
      ok: false,
    });
  });

  it("rejects `alg: none`", async () => {
    const unsigned = new UnsecuredJWT({}).setSubject("admin").setIssuer(ISSUER).setAudience(AUDIENCE);
    const token = unsigned.setIssuedAt().setExpirationTime("5m").encode();
    expect(await verifyAccessToken(keys, token)).toEqual({ ok: false, reason: "invalid" });
    const [, p] = (await issueAccessToken(keys, "alice")).token.split(".");
    expect(await verifyAccessToken(keys, `${b64({ alg: "none", typ: "JWT" })}.${p}.`)).toMatchObject({ ok: false });
  });

  it("rejects an HMAC token and tokens for another audience or issuer", async () => {
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("admin")
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("a".repeat(32)));
    expect(await verifyAccessToken(keys, hs)).toMatchObject({ ok: false });
    const foreign = await new SignJWT({})
      .setProtectedHeader({ alg: "EdDSA" })
      .setSubject("admin")
      .setIssuer("elsewhere")
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(keys.privateKey);
    expect(await verifyAccessToken(keys, foreign)).toMatchObject({ ok: false });
  });

  it.each(["", "garbage", "a.b.c", "e30.e30."])("rejects malformed token %j", async (token) => {
    expect(await verifyAccessToken(keys, token)).toEqual({ ok: false, reason: "invalid" });
  });
});
