/**
 * The provisioning flow of one device as a pure decider: `evolve` folds the device's PROVISIONING events into its
 * state, `decide` turns a command and that state into the decisions to append (or throws one of the hub's
 * errors). Secrets are compared before `decide` is called (it sees only whether the secret matched), and the clock
 * is passed in, so everything here is data in, data out.
 */
import { ConflictError, NotFoundError, RateLimitedError, ValidationError } from "./errors.ts";
import { encodeToken } from "./ids.ts";
import type { EventData } from "./messages.ts";
import type { ProvisioningDecision } from "./subjects.ts";

export type ProvisioningData = EventData<"spokes.ProvisioningDecided">;
export type Decision = { decision: ProvisioningDecision; data: ProvisioningData };
/** One stored decision of the device, as `evolve` reads it. */
export type ProvisioningFact = Decision & { seq: number; time: string };

export type DeviceStatus =
  | "unknown"
  | "preapproved"
  | "pending"
  | "approved"
  | "rejected"
  | "active"
  | "disabled"
  | "revoked";

export type DeviceState = {
  device: string;
  status: DeviceStatus;
  /** Last PROVISIONING sequence over the device's subjects; 0 when it has none (for the expected-sequence append). */
  seq: number;
  preapproval?: { secretHash?: string; mac?: string; publicKey?: string; at: string };
  /** The request the device polls: the latest one recorded. */
  request?: {
    nonceHash: string;
    publicKey?: string;
    mac?: string;
    secretCheck?: "matched" | "wrong";
    at: string;
    seq: number;
  };
  /** Hashes of every nonce a request of this device ever carried (a request that repeats one is a replay). */
  nonces: ReadonlySet<string>;
  /** The credentials that authenticate the device now (hashes and the public certificate). */
  credentials?: { tokenHash: string; certificateHash?: string; certificate?: string; seq: number; at: string };
  decidedBy?: string;
  reason?: string;
  /** Wrong out-of-band secrets since the last right one, and the lock-out they earned. */
  wrongSecrets: number;
  lockedUntil?: string;
  updatedAt?: string;
};

/** Wrong out-of-band secrets in a row before further secrets are refused for `LOCK_MS`. */
export const MAX_WRONG_SECRETS = 5;
export const LOCK_MS = 15 * 60 * 1000;

export function initialState(device: string): DeviceState {
  return { device, status: "unknown", seq: 0, nonces: new Set(), wrongSecrets: 0 };
}

/** Subject filter covering every decision of one device (for reads and the expected-sequence check). */
export const deviceFilter = (device: string): string => `provisioning.${encodeToken(device)}.*`;

/** Device status after each decision; a refused attempt leaves it as it was. */
export const STATUS_AFTER: Record<Exclude<ProvisioningDecision, "refused">, DeviceStatus> = {
  preapproved: "preapproved",
  requested: "pending",
  approved: "approved",
  rejected: "rejected",
  issued: "active",
  disabled: "disabled",
  enabled: "active",
  revoked: "revoked",
};

/** The state after one more decision. Pure; never throws (a stored event is a fact). */
export function evolve(s: DeviceState, f: ProvisioningFact): DeviceState {
  const d = f.data;
  const next: DeviceState = {
    ...s,
    seq: f.seq,
    updatedAt: f.time,
    status: f.decision === "refused" ? s.status : STATUS_AFTER[f.decision],
  };
  switch (f.decision) {
    case "preapproved":
      next.preapproval = {
        ...(d.secretHash ? { secretHash: d.secretHash } : {}),
        ...(d.mac ? { mac: d.mac } : {}),
        ...(d.publicKey ? { publicKey: d.publicKey } : {}),
        at: f.time,
      };
      next.credentials = undefined;
      next.wrongSecrets = 0;
      next.lockedUntil = undefined;
      break;
    case "requested":
      next.request = {
        nonceHash: d.nonceHash ?? `seq:${f.seq}`,
        ...(d.publicKey ? { publicKey: d.publicKey } : {}),
        ...(d.mac ? { mac: d.mac } : {}),
        ...(d.secretCheck ? { secretCheck: d.secretCheck } : {}),
        at: f.time,
        seq: f.seq,
      };
      if (d.nonceHash) next.nonces = new Set([...s.nonces, d.nonceHash]);
      if (d.secretCheck === "wrong") next.wrongSecrets = s.wrongSecrets + 1;
      if (d.secretCheck === "matched") next.wrongSecrets = 0;
      break;
    case "refused":
      if (d.nonceHash) next.nonces = new Set([...s.nonces, d.nonceHash]);
      if (d.secretCheck === "wrong") next.wrongSecrets = s.wrongSecrets + 1;
      if (d.until) next.lockedUntil = d.until;
      break;
    case "approved":
    case "rejected":
      next.decidedBy = d.by;
      next.reason = d.reason;
      break;
    case "issued":
      next.credentials = {
        tokenHash: d.credentialHash ?? "",
        ...(d.certificateHash ? { certificateHash: d.certificateHash } : {}),
        ...(d.certificate ? { certificate: d.certificate } : {}),
        seq: f.seq,
        at: f.time,
      };
      next.preapproval = undefined;
      break;
    case "revoked":
      next.credentials = undefined;
      next.reason = d.reason;
      break;
    case "disabled":
    case "enabled":
      next.reason = d.reason;
      break;
  }
  return next;
}

export type ProvisioningCommand =
  | { kind: "preapprove"; by: string; secretHash?: string; mac?: string; publicKey?: string }
  | {
      kind: "request";
      nonceHash: string;
      publicKey?: string;
      mac?: string;
      /** Whether the request's out-of-band secret matched the pre-approval's; absent when it sent none. */
      secret?: "matched" | "wrong";
      now: Date;
    }
  | { kind: "approve" | "reject" | "disable" | "enable" | "revoke"; by: string; reason?: string }
  | { kind: "issue"; nonceHash: string; credentialHash: string; certificate?: string; certificateHash?: string };

function conflict(s: DeviceState, message: string): ConflictError {
  const err = new ConflictError(`provisioning.${encodeToken(s.device)}.*`, s.seq);
  err.message = message;
  return err;
}

/** MAC addresses compare without separators and case. */
export const normalizeMac = (mac: string): string => mac.replace(/[^0-9a-f]/gi, "").toLowerCase();

function preapprovalMatches(s: DeviceState, c: Extract<ProvisioningCommand, { kind: "request" }>): boolean {
  const p = s.preapproval;
  if (!p) return false;
  if (p.secretHash && c.secret !== "matched") return false;
  if (p.mac && (!c.mac || normalizeMac(p.mac) !== normalizeMac(c.mac))) return false;
  if (p.publicKey && p.publicKey !== c.publicKey) return false;
  return true;
}

function decideRequest(s: DeviceState, c: Extract<ProvisioningCommand, { kind: "request" }>): Decision[] {
  if (s.nonces.has(c.nonceHash)) {
    throw conflict(s, "this request was already received (replayed nonce); nothing changed");
  }
  if (c.secret !== undefined && s.lockedUntil && Date.parse(s.lockedUntil) > c.now.getTime()) {
    const wait = Date.parse(s.lockedUntil) - c.now.getTime();
    throw new RateLimitedError("too many wrong out-of-band secrets for this device; try again later", wait);
  }
  const base: ProvisioningData = {
    nonceHash: c.nonceHash,
    ...(c.publicKey ? { publicKey: c.publicKey } : {}),
    ...(c.mac ? { mac: c.mac } : {}),
    ...(c.secret ? { secretCheck: c.secret } : {}),
  };
  const refusal = (): Decision[] => {
    const wrong = s.wrongSecrets + 1;
    const until = wrong >= MAX_WRONG_SECRETS ? new Date(c.now.getTime() + LOCK_MS).toISOString() : undefined;
    return [
      {
        decision: "refused",
        data: {
          nonceHash: c.nonceHash,
          secretCheck: "wrong",
          reason: "wrong out-of-band secret",
          ...(until ? { until } : {}),
        },
      },
    ];
  };
  switch (s.status) {
    case "unknown":
    case "rejected":
      if (c.secret === "wrong") return refusal();
      return [{ decision: "requested", data: base }];
    case "preapproved":
      if (preapprovalMatches(s, c)) {
        return [
          { decision: "requested", data: base },
          { decision: "approved", data: { by: "pre-approval", reason: "matched the pre-approval" } },
        ];
      }
      // A wrong secret is recorded as a pending request that only an administrator can approve, and counted.
      if (c.secret === "wrong" && s.wrongSecrets + 1 >= MAX_WRONG_SECRETS) return refusal();
      return [{ decision: "requested", data: base }];
    case "pending":
      // Whoever holds the out-of-band secret replaces a request made without it.
      if (c.secret === "matched" && preapprovalMatches(s, c)) {
        return [
          { decision: "requested", data: base },
          { decision: "approved", data: { by: "pre-approval", reason: "matched the pre-approval" } },
        ];
      }
      if (c.secret === "wrong") return refusal();
      throw conflict(s, "a request for this device is already waiting for a decision");
    case "approved":
      throw conflict(s, "this device is already approved; poll its request for the credentials");
    case "active":
    case "disabled":
      throw conflict(s, "this device is already provisioned");
    case "revoked":
      throw conflict(s, "this device was revoked; an administrator must pre-approve it again");
  }
}

const ALLOWED: Record<"approve" | "reject" | "disable" | "enable" | "revoke", DeviceStatus[]> = {
  approve: ["pending"],
  reject: ["pending", "preapproved"],
  disable: ["active"],
  enable: ["disabled"],
  revoke: ["approved", "active", "disabled"],
};
const DECISION_OF = {
  approve: "approved",
  reject: "rejected",
  disable: "disabled",
  enable: "enabled",
  revoke: "revoked",
} as const;

/**
 * The decisions a command leads to, in append order. Throws NotFoundError for an unknown device, ConflictError
 * when its status does not allow the command (or a request is a replay), RateLimitedError during a lock-out,
 * ValidationError for a command that cannot apply.
 */
export function decide(s: DeviceState, c: ProvisioningCommand): Decision[] {
  switch (c.kind) {
    case "preapprove": {
      if (!["unknown", "preapproved", "rejected", "revoked"].includes(s.status)) {
        throw conflict(s, `the device is ${s.status}; pre-approval is for new, rejected or revoked devices`);
      }
      const data: ProvisioningData = {
        by: c.by,
        ...(c.secretHash ? { secretHash: c.secretHash } : {}),
        ...(c.mac ? { mac: c.mac } : {}),
        ...(c.publicKey ? { publicKey: c.publicKey } : {}),
      };
      return [{ decision: "preapproved", data }];
    }
    case "request":
      return decideRequest(s, c);
    case "issue":
      if (s.request?.nonceHash !== c.nonceHash) throw new NotFoundError("no such provisioning request");
      if (s.status !== "approved") throw conflict(s, `the request is ${s.status}, not approved`);
      return [
        {
          decision: "issued",
          data: {
            credentialHash: c.credentialHash,
            ...(c.certificate ? { certificate: c.certificate, certificateHash: c.certificateHash } : {}),
          },
        },
      ];
    default: {
      if (s.status === "unknown") throw new NotFoundError(`no device "${s.device}"`);
      if (!ALLOWED[c.kind].includes(s.status)) {
        throw conflict(s, `cannot ${c.kind} a device that is ${s.status}`);
      }
      if (c.reason !== undefined && c.reason.length > 500) {
        throw new ValidationError("the reason is too long", [{ path: "reason", message: "at most 500 characters" }]);
      }
      return [{ decision: DECISION_OF[c.kind], data: { by: c.by, ...(c.reason ? { reason: c.reason } : {}) } }];
    }
  }
}

/** What a device learns when it polls its request (credentials are added by the flow, once). */
export type RequestView = { device: string; status: DeviceStatus; reason?: string; certificate?: string };

export function requestView(s: DeviceState): RequestView {
  return {
    device: s.device,
    status: s.status,
    ...(s.status === "rejected" && s.reason ? { reason: s.reason } : {}),
    ...(s.status === "active" && s.credentials?.certificate ? { certificate: s.credentials.certificate } : {}),
  };
}
