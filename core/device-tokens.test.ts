import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DeviceTokenKeys,
  issueDeviceToken,
  loadOrCreateDeviceKeys,
  verifyDeviceToken,
  verifyDeviceTokenClaims,
} from "./device-tokens.ts";

let dir: string;
let keys: DeviceTokenKeys;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "spokes-device-keys-"));
  keys = await loadOrCreateDeviceKeys(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const now = new Date("2026-11-22T10:00:00Z");

describe("device tokens", () => {
  it("Given a token issued for a device, When verified, Then it names the device and never expires by default", async () => {
    const token = await issueDeviceToken(keys, "urn:dev:lamp.1", 0, now);
    expect(await verifyDeviceTokenClaims(keys, token, now)).toEqual({ device: "urn:dev:lamp.1" });
    expect(await verifyDeviceToken(keys, token, new Date("2036-01-01T00:00:00Z"))).toBe("urn:dev:lamp.1");
  });

  it("Given a token with a lifetime, When verified after it, Then it is refused", async () => {
    const token = await issueDeviceToken(keys, "d", 60_000, now);
    expect(await verifyDeviceTokenClaims(keys, token, now)).toEqual({ device: "d", expiresAt: now.getTime() + 60_000 });
    expect(await verifyDeviceToken(keys, token, new Date(now.getTime() + 61_000))).toBeUndefined();
  });

  it("Given the keys in the data folder, When loaded again, Then tokens issued before still verify", async () => {
    const token = await issueDeviceToken(keys, "d", 0, now);
    expect(await verifyDeviceToken(await loadOrCreateDeviceKeys(dir), token, now)).toBe("d");
  });

  it.each([
    [
      "unsigned (alg none)",
      () =>
        new UnsecuredJWT({}).setSubject("d").setIssuer("spokes").setAudience("spokes-device").setIssuedAt().encode(),
    ],
    [
      "for another audience",
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: "EdDSA" })
          .setSubject("d")
          .setIssuer("spokes")
          .setAudience("spokes-bff")
          .setIssuedAt()
          .sign(keys.privateKey),
    ],
    [
      "without a subject",
      () =>
        new SignJWT({})
          .setProtectedHeader({ alg: "EdDSA" })
          .setIssuer("spokes")
          .setAudience("spokes-device")
          .setIssuedAt()
          .sign(keys.privateKey),
    ],
    ["garbage", () => "a.b.c"],
  ])("Given a token %s, When verified, Then it is refused", async (_what, make) => {
    expect(await verifyDeviceToken(keys, await make())).toBeUndefined();
  });
});
