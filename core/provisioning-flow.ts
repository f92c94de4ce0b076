/**
 * The provisioning flow over the event log: every protocol (HTTP, CoAP, GraphQL, the CLI) calls these functions,
 * which read the device's decisions, run the pure decider (`provisioning.ts`) and append what it decided with the
 * expected last sequence over the device's subjects, so two racing decisions end in one ConflictError. Secrets
 * are hashed before anything is stored; credentials are created when a device collects them and returned once.
 */
import { z } from "zod";
import type { DeviceTokenKeys } from "./device-tokens.ts";
import { issueDeviceToken } from "./device-tokens.ts";
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  RateLimitedError,
  UnavailableError,
  ValidationError,
} from "./errors.ts";
import { type EventLog, issuesOf } from "./event-log.ts";
import { type HubCa, issueCertificate, MAX_KEY_PEM, parseCsr, parsePublicKey } from "./hub-ca.ts";
import { encodeToken } from "./ids.ts";
import { storedFact } from "./messages.ts";
import {
  type Decision,
  type DeviceState,
  decide,
  deviceFilter,
  evolve,
  initialState,
  type ProvisioningCommand,
  type RequestView,
  requestView,
} from "./provisioning.ts";
import { hashSecret, sha256Hex, verifySecret } from "./secrets.ts";
import { subjects } from "./subjects.ts";

const deviceId = z
  .string()
  .min(1)
  .max(256)
  .refine((d) => {
    try {
      encodeToken(d);
      return true;
    } catch {
      return false;
    }
  }, "not a usable device id");
const tooLong = (n: number) => `at most ${n} characters`;

/** What a device sends to ask for credentials (HTTP JSON body; CoAP sends the same fields as JSON or CBOR). */
export const provisioningRequest = z.strictObject({
  device: deviceId,
  /** A fresh random value per request: proves who may poll it, and makes a replay recognisable. */
  nonce: z.string().min(16, "at least 16 characters").max(128, tooLong(128)),
  /** SPKI public key (PEM): the hub then also issues an X.509 client certificate. */
  publicKey: z.string().max(MAX_KEY_PEM, tooLong(MAX_KEY_PEM)).optional(),
  /** PKCS#10 certificate request (PEM), instead of `publicKey`. */
  csr: z.string().max(MAX_KEY_PEM, tooLong(MAX_KEY_PEM)).optional(),
  /** The out-of-band secret an administrator pre-approved the device with. */
  secret: z.string().min(1).max(256, tooLong(256)).optional(),
  mac: z.string().max(64, tooLong(64)).optional(),
});
export type ProvisioningRequest = z.infer<typeof provisioningRequest>;

/** How a device polls its request: its id and the nonce of the request. */
export const provisioningPoll = z.strictObject({ device: deviceId, nonce: z.string().min(16).max(128) });

export const preapproval = z.strictObject({
  device: deviceId,
  secret: z.string().min(8, "at least 8 characters").max(256, tooLong(256)).optional(),
  mac: z
    .string()
    .regex(/^[0-9A-Fa-f]{2}([:-]?[0-9A-Fa-f]{2}){5,7}$/, "expected a MAC address like 00:1a:2b:3c:4d:5e")
    .optional(),
  publicKey: z.string().max(MAX_KEY_PEM, tooLong(MAX_KEY_PEM)).optional(),
});

/** What a device gets back: its request's status and, the one time they are issued, its credentials. */
export type ProvisioningAnswer = RequestView & {
  /** The device token (returned once, when issued). */
  token?: string;
  /** The hub CA's certificate (PEM), to check the certificate and, later, the hub's TLS endpoints. */
  caCertificate?: string;
};

export type AdminDecision = "approve" | "reject" | "disable" | "enable" | "revoke";

export type ProvisioningFlow = ReturnType<typeof createProvisioningFlow>;

export type ProvisioningFlowOptions = {
  log: EventLog;
  /** Needed to issue credentials (the hub); administrative tools can leave them out. */
  keys?: DeviceTokenKeys;
  ca?: HubCa;
  /** Device token lifetime; 0 = no expiry (revocation still applies at once). */
  tokenTtlMs?: number;
  certificateTtlMs?: number;
  now?: () => Date;
};

function parse<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error);
  throw new ValidationError(`invalid request: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
}

/** Folds the device's stored decisions into its state (unknown device: the initial state). */
export async function readDevice(log: EventLog, device: string): Promise<DeviceState> {
  let s = initialState(device);
  for await (const e of log.read({ stream: "PROVISIONING", filter: deviceFilter(device) })) {
    const fact = factOf(e);
    if (fact) s = evolve(s, fact.fact);
  }
  return s;
}

/** A stored PROVISIONING event as a fact for `evolve`; undefined for anything that does not parse. */
export function factOf(e: { subject: string; type: string; data: unknown; seq: number; time: string }) {
  const f = storedFact(e, "spokes.ProvisioningDecided", "provisioning");
  if (!f) return undefined;
  const { device, decision } = f.address;
  return { device, fact: { decision, data: f.data, seq: e.seq, time: e.time } };
}

const DEFAULT_CERT_TTL_MS = 365 * 864e5;

export function createProvisioningFlow(o: ProvisioningFlowOptions) {
  const now = o.now ?? (() => new Date());
  const { log } = o;

  async function commit(state: DeviceState, decisions: Decision[], source: string): Promise<DeviceState> {
    let s = state;
    for (const d of decisions) {
      const r = await log.append({
        subject: subjects.provisioning(s.device, d.decision),
        type: "spokes.ProvisioningDecided",
        data: d.data,
        source,
        expectedLastSubjectSeq: s.seq,
        expectedLastSubjectSeqSubject: deviceFilter(s.device),
      });
      s = evolve(s, { ...d, seq: r.seq, time: now().toISOString() });
    }
    return s;
  }

  /** Issues credentials for an approved request (token always; certificate when the device gave a key). */
  async function collect(s: DeviceState, nonceHash: string, source: string): Promise<ProvisioningAnswer> {
    const { keys, ca } = o;
    if (!keys || !ca) throw new UnavailableError("this process cannot issue device credentials");
    const token = await issueDeviceToken(keys, s.device, o.tokenTtlMs ?? 0, now());
    const publicKey = s.request?.publicKey;
    const cert = publicKey
      ? await issueCertificate(ca, s.device, publicKey, o.certificateTtlMs ?? DEFAULT_CERT_TTL_MS, now())
      : undefined;
    const command: ProvisioningCommand = {
      kind: "issue",
      nonceHash,
      credentialHash: await sha256Hex(token),
      ...(cert ? { certificate: cert.pem, certificateHash: cert.hash } : {}),
    };
    const issued = await commit(s, decide(s, command), source);
    return { ...requestView(issued), token, caCertificate: ca.pem };
  }

  return {
    /** Pre-approves a device: a request matching every condition given (secret, MAC, public key) is approved at once. */
    async preapprove(input: unknown, by: string, source = `admin/${by}`): Promise<DeviceState> {
      const a = parse(preapproval, input);
      const publicKey = a.publicKey ? parsePublicKey(a.publicKey) : undefined;
      const secretHash = a.secret ? await hashSecret(a.secret) : undefined;
      const s = await readDevice(log, a.device);
      const command: ProvisioningCommand = {
        kind: "preapprove",
        by,
        ...(secretHash ? { secretHash } : {}),
        ...(a.mac ? { mac: a.mac } : {}),
        ...(publicKey ? { publicKey } : {}),
      };
      return commit(s, decide(s, command), source);
    },

    /**
     * A device's provisioning request. Approved at once (credentials in the answer) when it matches the device's
     * pre-approval; otherwise pending until an administrator decides. A wrong out-of-band secret is recorded; after
     * a pending request, further wrong secrets are refused (ForbiddenError) and, past the limit, lock the device
     * out for a while (RateLimitedError). A repeated nonce is a replay (ConflictError); nothing is stored for it.
     */
    async request(input: unknown): Promise<ProvisioningAnswer> {
      const r = parse(provisioningRequest, input);
      let publicKey = r.publicKey ? parsePublicKey(r.publicKey) : undefined;
      if (r.csr) {
        const fromCsr = await parseCsr(r.csr);
        if (publicKey && publicKey !== fromCsr) {
          throw new ValidationError("publicKey differs from the CSR's key", [
            { path: "publicKey", message: "must be the CSR's public key (or leave it out)" },
          ]);
        }
        publicKey = fromCsr;
      }
      const nonceHash = await sha256Hex(r.nonce);
      const s = await readDevice(log, r.device);
      const at = now();
      const locked = s.lockedUntil !== undefined && Date.parse(s.lockedUntil) > at.getTime();
      let secret: "matched" | "wrong" | undefined;
      if (r.secret !== undefined && s.preapproval?.secretHash) {
        secret = !locked && (await verifySecret(r.secret, s.preapproval.secretHash)) ? "matched" : "wrong";
      }
      const command: ProvisioningCommand = {
        kind: "request",
        nonceHash,
        ...(publicKey ? { publicKey } : {}),
        ...(r.mac ? { mac: r.mac } : {}),
        ...(secret ? { secret } : {}),
        now: at,
      };
      const decisions = decide(s, command);
      const source = `devices/${r.device}`;
      const after = await commit(s, decisions, source);
      const refused = decisions.find((d) => d.decision === "refused");
      if (refused) {
        if (refused.data.until) {
          throw new RateLimitedError(
            "too many wrong out-of-band secrets for this device; try again later",
            Date.parse(refused.data.until) - at.getTime(),
          );
        }
        throw new ForbiddenError("the out-of-band secret does not match; the attempt was recorded");
      }
      if (after.status === "approved") return collect(after, nonceHash, source);
      return requestView(after);
    },

    /** The status of a device's request, proven by its nonce; the credentials the first time after approval. */
    async poll(input: unknown): Promise<ProvisioningAnswer> {
      const p = parse(provisioningPoll, input);
      const nonceHash = await sha256Hex(p.nonce);
      const s = await readDevice(log, p.device);
      if (s.request?.nonceHash !== nonceHash) {
        throw new NotFoundError("no such provisioning request");
      }
      if (s.status !== "approved") return requestView(s);
      try {
        return await collect(s, nonceHash, `devices/${p.device}`);
      } catch (err) {
        // Another poll collected them first: the credentials were handed out once, there.
        if (err instanceof ConflictError) return requestView(await readDevice(log, p.device));
        throw err;
      }
    },

    /** An administrator's decision on a device. */
    async decide(kind: AdminDecision, device: string, by: string, reason?: string, source = `admin/${by}`) {
      parse(deviceId, device);
      const s = await readDevice(log, device);
      return commit(s, decide(s, { kind, by, ...(reason ? { reason } : {}) }), source);
    },

    status: (device: string): Promise<DeviceState> => readDevice(log, device),

    /** Every device the stream knows, with its state. Reads the whole stream. */
    async list(): Promise<DeviceState[]> {
      const states = new Map<string, DeviceState>();
      for await (const e of log.read({ stream: "PROVISIONING" })) {
        const f = factOf(e);
        if (f) states.set(f.device, evolve(states.get(f.device) ?? initialState(f.device), f.fact));
      }
      return [...states.values()];
    },
  };
}
