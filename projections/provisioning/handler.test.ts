import { describe, expect, it } from "vitest";
import { subjects } from "../../core/subjects.ts";
import { event } from "../fixtures.ts";
import { handleProvisioning } from "./handler.ts";

const dev = "gateway-7";

describe("provisioning handler", () => {
  it("Given a request, When handled, Then the device is pending and a request is recorded", () => {
    const ops = handleProvisioning([
      event(1, subjects.provisioning(dev, "requested"), "spokes.ProvisioningDecided", { publicKey: "pk" }),
    ]);
    expect(ops).toEqual([
      expect.objectContaining({ op: "device", device: dev, status: "pending", publicKey: "pk", seq: 1 }),
      expect.objectContaining({ op: "request", device: dev, seq: 1, publicKey: "pk" }),
    ]);
  });

  it("Given an approval and issued credentials, When handled, Then requests are decided and the hash is kept", () => {
    const ops = handleProvisioning([
      event(2, subjects.provisioning(dev, "approved"), "spokes.ProvisioningDecided", { by: "admin", reason: "ok" }),
      event(3, subjects.provisioning(dev, "issued"), "spokes.ProvisioningDecided", { credentialHash: "h1" }),
    ]);
    expect(ops.map((o) => o.op)).toEqual(["device", "decideRequests", "device", "issue"]);
    expect(ops[1]).toMatchObject({ status: "approved", by: "admin", reason: "ok" });
    expect(ops[3]).toMatchObject({ credentialHash: "h1", seq: 3 });
    expect(ops[2]).toMatchObject({ status: "active" });
  });

  it("Given a refused attempt (wrong out-of-band secret), When handled, Then nothing changes", () => {
    const ops = handleProvisioning([
      event(5, subjects.provisioning(dev, "refused"), "spokes.ProvisioningDecided", { secretCheck: "wrong" }),
    ]);
    expect(ops).toEqual([]);
  });

  it("Given a revocation, When handled, Then the device is revoked and its credentials too", () => {
    const ops = handleProvisioning([event(4, subjects.provisioning(dev, "revoked"), "spokes.ProvisioningDecided", {})]);
    expect(ops.map((o) => [o.op, "status" in o ? o.status : undefined])).toEqual([
      ["device", "revoked"],
      ["revokeCredentials", undefined],
    ]);
  });
});
