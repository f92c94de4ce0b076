/**
 * Observations the upstream server holds on the gateway. Each one keeps its CoAP token (node-coap's observe
 * stream numbers the notifications, rising), and is notified when a value under its path changes, never sooner
 * than pmin after the last notification, and at the latest pmax after it. Attributes come from Write-Attributes on
 * the path or a parent path, else the defaults. It ends on Reset, on an observe-cancel GET, or when the server stops
 * acknowledging.
 */
import type { ObserveWriteStream } from "coap";
import { formatPath, isUnder, type LwM2mPath } from "../coap/codec/index.ts";
import type { Attributes, Reply } from "./requests.ts";

export type Observation = {
  key: string;
  path: LwM2mPath;
  accept: number | undefined;
  stream: ObserveWriteStream;
  lastSent: number;
  lastPayload: string;
  due?: NodeJS.Timeout;
  pmaxTimer?: NodeJS.Timeout;
};

export type ObservationOptions = {
  /** Reads the observed path now, encoded for the observation. */
  read: (o: Observation) => Promise<Reply>;
  /** Whether the observed path is still served; when it is not (the mapping changed), the observation ends. */
  exists: (path: LwM2mPath) => boolean;
  defaults: { pminSeconds: number; pmaxSeconds: number };
  now?: () => number;
};

const hex = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString("hex");

export class Observations {
  private readonly o: ObservationOptions;
  private readonly byKey = new Map<string, Observation>();
  private readonly attributes = new Map<string, Attributes>();

  constructor(o: ObservationOptions) {
    this.o = o;
  }

  get size(): number {
    return this.byKey.size;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  /** pmin and pmax (seconds) in force for a path: its own attributes, then its parents', then the defaults. */
  attributesOf(path: LwM2mPath): { pmin: number; pmax: number } {
    let pmin: number | undefined;
    let pmax: number | undefined;
    const ids = [path.objectId, path.instanceId, path.resourceId].filter((x) => x !== undefined);
    for (let n = ids.length; n >= 1; n--) {
      const a = this.attributes.get(`/${ids.slice(0, n).join("/")}`);
      pmin ??= a?.pmin;
      pmax ??= a?.pmax;
    }
    return { pmin: pmin ?? this.o.defaults.pminSeconds, pmax: pmax ?? this.o.defaults.pmaxSeconds };
  }

  setAttributes(path: LwM2mPath, a: Attributes): void {
    const key = formatPath(path);
    this.attributes.set(key, { ...this.attributes.get(key), ...a });
    for (const obs of this.byKey.values()) this.armPmax(obs);
  }

  /** Starts an observation whose first response (`first`, a 2.05) the caller has not sent yet. */
  add(obs: Omit<Observation, "lastSent" | "lastPayload">, first: Reply): void {
    this.cancel(obs.key);
    const full: Observation = { ...obs, lastSent: 0, lastPayload: "" };
    this.byKey.set(obs.key, full);
    const drop = () => this.forget(full);
    obs.stream.once("finish", drop);
    obs.stream.once("close", drop);
    obs.stream.on("error", drop);
    this.send(full, first);
  }

  /** Ends the observation with this key (observe-cancel GET); nothing more is sent on it. */
  cancel(key: string): boolean {
    const obs = this.byKey.get(key);
    if (!obs) return false;
    this.forget(obs);
    if (!obs.stream.writableEnded) obs.stream.end();
    return true;
  }

  /** A value at `path` may have changed: notify the observations covering it (respecting pmin). */
  changed(path: LwM2mPath): void {
    for (const obs of this.byKey.values()) {
      if (!isUnder(path, obs.path) && !isUnder(obs.path, path)) continue;
      const { pmin } = this.attributesOf(obs.path);
      const wait = obs.lastSent + pmin * 1000 - this.now();
      if (obs.due) continue;
      obs.due = setTimeout(
        () => {
          obs.due = undefined;
          void this.notify(obs, false);
        },
        Math.max(0, wait),
      );
    }
  }

  /** Ends every observation (the registration is gone or the gateway stops). */
  clear(): void {
    for (const key of [...this.byKey.keys()]) this.cancel(key);
  }

  private forget(obs: Observation): void {
    if (this.byKey.get(obs.key) === obs) this.byKey.delete(obs.key);
    clearTimeout(obs.due);
    clearTimeout(obs.pmaxTimer);
  }

  private async notify(obs: Observation, always: boolean): Promise<void> {
    if (this.byKey.get(obs.key) !== obs || obs.stream.writableEnded) return;
    if (!this.o.exists(obs.path)) return this.end(obs, "4.04");
    let r: Reply;
    try {
      r = await this.o.read(obs);
    } catch {
      return this.armPmax(obs);
    }
    // No value (yet) or unchanged value: nothing to tell, unless pmax says a notification is due anyway.
    if (r.code !== "2.05" || (!always && hex(r.payload) === obs.lastPayload)) return this.armPmax(obs);
    this.send(obs, r);
  }

  /** Ends an observation with an error notification, which tells the server it is over. */
  private end(obs: Observation, code: string): void {
    this.forget(obs);
    if (obs.stream.writableEnded) return;
    obs.stream.statusCode = code;
    obs.stream.write(Buffer.alloc(0));
    obs.stream.end();
  }

  /** Observations whose path is no longer served end now (called after a mapping change). */
  prune(): void {
    for (const obs of [...this.byKey.values()]) if (!this.o.exists(obs.path)) this.end(obs, "4.04");
  }

  private send(obs: Observation, r: Reply): void {
    if (obs.stream.writableEnded) return;
    if (r.format !== undefined) obs.stream.setOption("Content-Format", r.format);
    obs.lastSent = this.now();
    obs.lastPayload = hex(r.payload);
    obs.stream.write(Buffer.from(r.payload ?? []));
    this.armPmax(obs);
  }

  private armPmax(obs: Observation): void {
    clearTimeout(obs.pmaxTimer);
    if (this.byKey.get(obs.key) !== obs) return;
    const { pmax, pmin } = this.attributesOf(obs.path);
    if (pmax <= 0) return;
    const at = obs.lastSent + Math.max(pmax, pmin) * 1000;
    obs.pmaxTimer = setTimeout(() => void this.notify(obs, true), Math.max(0, at - this.now()));
  }
}
