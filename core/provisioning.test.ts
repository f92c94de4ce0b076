import { describe, expect, it } from "vitest";
import { ConflictError, NotFoundError, RateLimitedError } from "./errors.ts";
import {
  type Decision,
  type DeviceState,
  decide,
  evolve,
  initialState,
  LOCK_MS,
  MAX_WRONG_SECRETS,
  type ProvisioningCommand,
  requestView,
} from "./provisioning.ts";

const now = new Date("2026-11-22T10:00:00Z");
const dev = "node-7";

/** Given these decisions happened (in order), the device's state. */
function given(...decisions: Decision[]): DeviceState {
  return decisions.reduce((s, d, i) => evolve(s, { ...d, seq: i + 1, time: now.toISOString() }), initialState(dev));
}
const when = (s: DeviceState, c: ProvisioningCommand) => decide(s, c);
const request = (nonceHash: string, extra: Partial<Extract<ProvisioningCommand, { kind: "request" }>> = {}) =>
  ({ kind: "request", nonceHash, now, ...extra }) as const;
const preapproved = (data: Decision["data"] = { secretHash: "h" }): Decision => ({ decision: "preapproved", data });
const requested = (nonceHash: string, data: Decision["data"] = {}): Decision => ({
  decision: "requested",
  data: { nonceHash, ...data },
});

describe("provisioning decider", () => {
  it("Given an unknown device, When it requests, Then the request is pending", () => {
    expect(when(given(), request("n1"))).toEqual([{ decision: "requested", data: { nonceHash: "n1" } }]);
  });

  it("Given a pre-approval with a secret, When the request's secret matched, Then requested and approved", () => {
    const out = when(given(preapproved()), request("n1", { secret: "matched", publicKey: "pk" }));
    expect(out.map((d) => d.decision)).toEqual(["requested", "approved"]);
    expect(out[0]?.data).toMatchObject({ publicKey: "pk", secretCheck: "matched" });
  });

  it("Given a pre-approval with a secret, When the secret is wrong, Then the request only waits, flagged", () => {
    const out = when(given(preapproved()), request("n1", { secret: "wrong" }));
    expect(out).toEqual([{ decision: "requested", data: { nonceHash: "n1", secretCheck: "wrong" } }]);
  });

  it("Given a pre-approval with a secret, When a request sends none, Then it waits for an administrator", () => {
    expect(when(given(preapproved()), request("n1")).map((d) => d.decision)).toEqual(["requested"]);
  });

  it.each([
    ["device id only", {}, {}, true],
    ["matching MAC in any notation", { mac: "00:1A:2B:3C:4D:5E" }, { mac: "001a2b3c4d5e" }, true],
    ["another MAC", { mac: "00:1A:2B:3C:4D:5E" }, { mac: "00:1A:2B:3C:4D:5F" }, false],
    ["matching public key", { publicKey: "pk" }, { publicKey: "pk" }, true],
    ["no public key", { publicKey: "pk" }, {}, false],
  ])("Given a pre-approval by %s, When a request arrives, Then approved at once is %s", (_w, pre, req, approved) => {
    const out = when(given(preapproved(pre)), request("n1", req));
    expect(out.some((d) => d.decision === "approved")).toBe(approved);
  });

  it("Given a pending request, When a request repeats its nonce, Then it is a replay and nothing is decided", () => {
    const s = given(requested("n1"));
    expect(() => when(s, request("n1"))).toThrow(ConflictError);
    expect(() => when(s, request("n1"))).toThrow(/replayed/);
  });

  it("Given a pending request, When another request without a secret arrives, Then it conflicts", () => {
    expect(() => when(given(requested("n1")), request("n2"))).toThrow(/already waiting/);
  });

  it("Given a pending request after a wrong secret, When the right secret arrives, Then it replaces it, approved", () => {
    const s = given(preapproved(), requested("n1", { secretCheck: "wrong" }));
    expect(when(s, request("n2", { secret: "matched" })).map((d) => d.decision)).toEqual(["requested", "approved"]);
  });

  it("Given a pending request, When wrong secrets keep coming, Then each is refused and the last locks the device out", () => {
    let s = given(preapproved(), requested("n0", { secretCheck: "wrong" }));
    for (let i = 1; i < MAX_WRONG_SECRETS; i++) {
      const out = when(s, request(`n${i}`, { secret: "wrong" }));
      expect(out).toHaveLength(1);
      expect(out[0]?.decision).toBe("refused");
      const locks = i + 1 >= MAX_WRONG_SECRETS;
      expect(out[0]?.data.until).toBe(locks ? new Date(now.getTime() + LOCK_MS).toISOString() : undefined);
      s = evolve(s, { ...(out[0] as Decision), seq: s.seq + 1, time: now.toISOString() });
    }
    expect(s.status).toBe("pending");
    expect(s.wrongSecrets).toBe(MAX_WRONG_SECRETS);
    expect(() => when(s, request("late", { secret: "matched" }))).toThrow(RateLimitedError);
    const later = new Date(now.getTime() + LOCK_MS + 1);
    expect(when(s, request("later", { secret: "matched", now: later })).map((d) => d.decision)).toEqual([
      "requested",
      "approved",
    ]);
  });

  it("Given an approved request, When credentials are issued for its nonce, Then the device is active", () => {
    const s = given(requested("n1"), { decision: "approved", data: { by: "admin" } });
    const out = when(s, { kind: "issue", nonceHash: "n1", credentialHash: "t" });
    expect(out).toEqual([{ decision: "issued", data: { credentialHash: "t" } }]);
    const active = evolve(s, { ...(out[0] as Decision), seq: 3, time: now.toISOString() });
    expect(active.status).toBe("active");
    expect(active.credentials?.tokenHash).toBe("t");
    expect(() => when(active, { kind: "issue", nonceHash: "n1", credentialHash: "t2" })).toThrow(ConflictError);
    expect(() => when(s, { kind: "issue", nonceHash: "other", credentialHash: "t" })).toThrow(NotFoundError);
  });

  it.each([
    ["approve", ["requested"], "approved"],
    ["reject", ["requested"], "rejected"],
    ["reject", ["preapproved"], "rejected"],
    ["disable", ["requested", "approved", "issued"], "disabled"],
    ["enable", ["requested", "approved", "issued", "disabled"], "enabled"],
    ["revoke", ["requested", "approved", "issued"], "revoked"],
  ] as const)("Given a device after %s's precondition, When %s, Then %s", (kind, history, decision) => {
    const s = given(...history.map((d, i) => ({ decision: d, data: d === "requested" ? { nonceHash: `n${i}` } : {} })));
    expect(when(s, { kind, by: "admin" })).toEqual([{ decision, data: { by: "admin" } }]);
  });

  it.each([
    ["approve", []],
    ["enable", ["requested"]],
    ["disable", ["requested"]],
    ["revoke", ["requested"]],
    ["approve", ["requested", "approved", "issued"]],
  ] as const)("Given a device in the wrong state, When %s, Then it is refused", (kind, history) => {
    const s = given(...history.map((d, i) => ({ decision: d, data: d === "requested" ? { nonceHash: `n${i}` } : {} })));
    expect(() => when(s, { kind, by: "admin" })).toThrow(history.length === 0 ? NotFoundError : ConflictError);
  });

  it("Given a revoked device, When it requests again, Then it is refused until pre-approved again", () => {
    const s = given(
      requested("n1"),
      { decision: "approved", data: {} },
      { decision: "issued", data: {} },
      {
        decision: "revoked",
        data: {},
      },
    );
    expect(() => when(s, request("n2"))).toThrow(/pre-approve it again/);
    expect(when(s, { kind: "preapprove", by: "admin" }).map((d) => d.decision)).toEqual(["preapproved"]);
    expect(s.credentials).toBeUndefined();
  });

  it("Given an active device, When its request is viewed, Then the certificate shows but never a token hash", () => {
    const s = given(
      requested("n1"),
      { decision: "approved", data: {} },
      {
        decision: "issued",
        data: { credentialHash: "secret-hash", certificate: "PEM", certificateHash: "c" },
      },
    );
    expect(requestView(s)).toEqual({ device: dev, status: "active", certificate: "PEM" });
  });
});
