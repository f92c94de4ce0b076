import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { issueAccessToken } from "./access-tokens.ts";
import { loadOrCreateSigningKeys } from "./keys.ts";
import { cachedTokenVerifier } from "./verified-tokens.ts";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function generateSigningKeys() {
  const dir = await mkdtemp(join(tmpdir(), "spokes-bff-tokens-"));
  dirs.push(dir);
  return loadOrCreateSigningKeys(dir);
}

describe("remembered access tokens", () => {
  it("Given a token verified once, When it is used again after it expired, Then it is refused as expired", async () => {
    const keys = await generateSigningKeys();
    const now = new Date("2026-11-01T12:00:00.000Z");
    const { token } = await issueAccessToken(keys, "alice", 60_000, now);
    const verify = cachedTokenVerifier(keys);
    expect(await verify(token, now)).toEqual({ ok: true, user: "alice" });
    expect(await verify(token, new Date(now.getTime() + 30_000))).toEqual({ ok: true, user: "alice" });
    expect(await verify(token, new Date(now.getTime() + 61_000))).toEqual({ ok: false, reason: "expired" });
  });

  it("Given a forged token, When verified twice, Then it is refused both times", async () => {
    const keys = await generateSigningKeys();
    const other = await generateSigningKeys();
    const { token } = await issueAccessToken(other, "admin");
    const verify = cachedTokenVerifier(keys);
    expect(await verify(token)).toEqual({ ok: false, reason: "invalid" });
    expect(await verify(token)).toEqual({ ok: false, reason: "invalid" });
  });

  it("Given more tokens than it keeps, When the first is used again, Then it is verified afresh and still valid", async () => {
    const keys = await generateSigningKeys();
    const verify = cachedTokenVerifier(keys, 2);
    const tokens = await Promise.all(["a", "b", "c"].map(async (u) => (await issueAccessToken(keys, u)).token));
    for (const t of tokens) await verify(t);
    expect(await verify(tokens[0] as string)).toEqual({ ok: true, user: "a" });
  });
});
