/** Provisioning's pure handler: each decision becomes row operations, in stream order. */
import { STATUS_AFTER } from "../../core/provisioning.ts";
import type { ProjectionEvent } from "../projection.ts";

export type ProvisioningOp =
  | { op: "device"; device: string; status: string; publicKey?: string; secretHash?: string; at: string; seq: number }
  | { op: "request"; device: string; seq: number; publicKey?: string; at: string }
  | { op: "decideRequests"; device: string; status: "approved" | "rejected"; by?: string; reason?: string; at: string }
  | { op: "issue"; device: string; seq: number; credentialHash: string; at: string }
  | { op: "revokeCredentials"; device: string; at: string };

export function handleProvisioning(events: readonly ProjectionEvent[]): ProvisioningOp[] {
  const ops: ProvisioningOp[] = [];
  for (const e of events) {
    if (e.type !== "spokes.ProvisioningDecided" || e.address.kind !== "provisioning") continue;
    const { device, decision } = e.address;
    if (decision === "refused") continue;
    const d = e.data;
    const at = e.time;
    ops.push({
      op: "device",
      device,
      status: STATUS_AFTER[decision],
      ...(d.publicKey ? { publicKey: d.publicKey } : {}),
      ...(d.secretHash ? { secretHash: d.secretHash } : {}),
      at,
      seq: e.seq,
    });
    if (decision === "requested") ops.push({ op: "request", device, seq: e.seq, publicKey: d.publicKey, at });
    if (decision === "approved" || decision === "rejected") {
      ops.push({ op: "decideRequests", device, status: decision, by: d.by, reason: d.reason, at });
    }
    if (decision === "issued" && d.credentialHash) {
      ops.push({ op: "issue", device, seq: e.seq, credentialHash: d.credentialHash, at });
    }
    if (decision === "revoked") ops.push({ op: "revokeCredentials", device, at });
  }
  return ops;
}
