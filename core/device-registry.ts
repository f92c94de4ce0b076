/**
 * The device registry: every device's provisioning state, held in memory and kept current by watching the
 * PROVISIONING stream, so every binding can authenticate devices and refuse a disabled or revoked one within
 * moments, without Postgres. Credentials are checked against hashes only: a token must carry a valid signature
 * and be the device's current token; a certificate must chain to the hub CA and be the device's current one.
 */

import { type DeviceSettings, settingsFact } from "./device-settings.ts";
import { type DeviceTokenKeys, loadOrCreateDeviceKeys, verifyDeviceTokenClaims } from "./device-tokens.ts";
import type { DeviceAuthenticator, DeviceCredentials, DeviceIdentity } from "./devices.ts";
import { UnauthenticatedError } from "./errors.ts";
import { checkCertificate, type HubCa, loadOrCreateHubCa } from "./hub-ca.ts";
import type { JetStreamEventLog } from "./jetstream-event-log.ts";
import type { Logger } from "./log.ts";
import { type DeviceState, evolve, initialState } from "./provisioning.ts";
import { createProvisioningFlow, factOf, type ProvisioningFlow } from "./provisioning-flow.ts";
import { sameHash, sha256Hex } from "./secrets.ts";

export type DeviceRegistryOptions = {
  log: JetStreamEventLog;
  /** Where the device-token key and the hub CA are kept (created on first start). */
  dataDir: string;
  logger?: Logger;
  tokenTtlMs?: number;
  certificateTtlMs?: number;
};

/** Tokens whose signature was checked, remembered so a binding can authenticate per request cheaply. */
const VERIFIED_TOKENS = 10_000;

/** How long `authenticate` waits for the registry to catch up with the stream before refusing a new device. */
const CATCH_UP_MS = 2000;

export class DeviceRegistry implements DeviceAuthenticator {
  readonly keys: DeviceTokenKeys;
  readonly ca: HubCa;
  /** The provisioning flow over the same log, keys and CA. */
  readonly flow: ProvisioningFlow;
  private readonly log: JetStreamEventLog;
  private readonly logger: Logger | undefined;
  private readonly states = new Map<string, DeviceState>();
  private readonly settings = new Map<string, DeviceSettings>();
  private readonly listeners = new Set<(device: string) => void>();
  private readonly waiters = new Set<{ seq: number; resolve: () => void }>();
  private readonly abort = new AbortController();
  private applied = 0;
  /** token → its device, hash and expiry; the device's state is still checked on every call. */
  private readonly verified = new Map<string, { device: string; hash: string; expiresAt?: number }>();
  private loop: Promise<void> | undefined;

  private constructor(o: DeviceRegistryOptions, keys: DeviceTokenKeys, ca: HubCa) {
    this.log = o.log;
    this.logger = o.logger;
    this.keys = keys;
    this.ca = ca;
    this.flow = createProvisioningFlow({
      log: o.log,
      keys,
      ca,
      ...(o.tokenTtlMs !== undefined ? { tokenTtlMs: o.tokenTtlMs } : {}),
      ...(o.certificateTtlMs !== undefined ? { certificateTtlMs: o.certificateTtlMs } : {}),
    });
  }

  /** Loads (or creates) the keys and CA, replays the PROVISIONING stream, and keeps watching it. */
  static async open(o: DeviceRegistryOptions): Promise<DeviceRegistry> {
    const [keys, ca] = await Promise.all([loadOrCreateDeviceKeys(o.dataDir), loadOrCreateHubCa(o.dataDir)]);
    const registry = new DeviceRegistry(o, keys, ca);
    await registry.start();
    return registry;
  }

  private async head(): Promise<number> {
    return (await this.log.jsm.streams.info("PROVISIONING")).state.last_seq;
  }

  private async start(): Promise<void> {
    const head = await this.head();
    this.loop = this.follow();
    await this.caughtUp(head);
  }

  /** Applies the stream from the start, then live; after a failure, resumes after the last applied event. */
  private async follow(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        for await (const e of this.log.watch({ stream: "PROVISIONING", from: this.applied + 1, signal })) {
          this.apply(e);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.logger?.warn("watching the PROVISIONING stream failed; retrying", { err });
      }
      if (signal.aborted || this.log.nc.isClosed()) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  private apply(e: Parameters<typeof factOf>[0]): void {
    if (e.seq <= this.applied) return;
    this.applied = e.seq;
    const changed = settingsFact(e);
    if (changed) this.settings.set(changed.device, changed.settings);
    const f = factOf(e);
    if (f) {
      const before = this.states.get(f.device);
      const after = evolve(before ?? initialState(f.device), f.fact);
      this.states.set(f.device, after);
      if (before?.status === "active" && after.status !== "active") {
        for (const listener of this.listeners) {
          try {
            listener(f.device);
          } catch (err) {
            this.logger?.warn("a deactivation listener failed", { err });
          }
        }
      }
    }
    for (const w of this.waiters) {
      if (w.seq <= this.applied) {
        this.waiters.delete(w);
        w.resolve();
      }
    }
  }

  /** Resolves once every event up to `seq` is applied. */
  caughtUp(seq: number): Promise<void> {
    if (seq <= this.applied) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add({ seq, resolve }));
  }

  /** Waits (up to a bound) until the registry has applied everything the stream holds now. */
  async sync(timeoutMs = CATCH_UP_MS): Promise<void> {
    const head = await this.head();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.caughtUp(head),
      new Promise<void>((r) => {
        timer = setTimeout(r, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** The device's state, or undefined when the stream has never named it. */
  get(device: string): DeviceState | undefined {
    return this.states.get(device);
  }

  /** The device's own settings (empty when none were set: the hub's defaults apply). */
  settingsOf(device: string): DeviceSettings {
    return this.settings.get(device) ?? {};
  }

  /** Every known device's state. */
  devices(): DeviceState[] {
    return [...this.states.values()];
  }

  isActive(device: string): boolean {
    return this.states.get(device)?.status === "active";
  }

  onDeactivated(listener: (device: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async authenticate(c: DeviceCredentials): Promise<DeviceIdentity> {
    const refused = () => new UnauthenticatedError("the device credentials were refused");
    if (c.token === undefined && c.certificate === undefined) throw refused();
    let device = c.device;
    let tokenHash: string | undefined;
    let certHash: string | undefined;
    if (c.token !== undefined) {
      const known = await this.verifyToken(c.token);
      if (known === undefined || (device !== undefined && known.device !== device)) throw refused();
      device = known.device;
      tokenHash = known.hash;
    }
    if (c.certificate !== undefined) {
      const checked = await checkCertificate(this.ca, c.certificate);
      if (checked === undefined || (device !== undefined && checked.device !== device)) throw refused();
      device = checked.device;
      certHash = checked.hash;
    }
    if (device === undefined) throw refused();
    const current = (s: DeviceState | undefined) =>
      s?.status === "active" &&
      (tokenHash === undefined || sameHash(tokenHash, s.credentials?.tokenHash ?? "")) &&
      (certHash === undefined || sameHash(certHash, s.credentials?.certificateHash ?? ""));
    if (current(this.states.get(device))) return { device };
    // Signed by us but not current here: the credentials may be newer than what this registry has applied.
    await this.sync();
    if (current(this.states.get(device))) return { device };
    throw refused();
  }

  /** The token's device and hash when its signature and claims hold; remembered until it expires. */
  private async verifyToken(token: string) {
    const hit = this.verified.get(token);
    if (hit && (hit.expiresAt === undefined || hit.expiresAt > Date.now())) return hit;
    if (hit) this.verified.delete(token);
    const claims = await verifyDeviceTokenClaims(this.keys, token);
    if (claims === undefined) return undefined;
    const entry = { ...claims, hash: await sha256Hex(token) };
    if (this.verified.size >= VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, entry);
    return entry;
  }

  async close(): Promise<void> {
    this.abort.abort();
    for (const w of this.waiters) w.resolve();
    this.waiters.clear();
    await this.loop;
  }
}
