/**
 * The gateway's registration with its upstream LwM2M server (LwM2M 1.0, binding U): Register, Update before the
 * lifetime runs out (and at once when the object links change or the server triggers it), Register again when the
 * server answers an Update with 4.04 or stops answering, De-register on stop.
 */
import { type Agent, type IncomingMessage, request } from "coap";
import type { Logger } from "../../core/log.ts";

export type RegistrationOptions = {
  agent: Agent;
  server: { host: string; port: number };
  endpoint: string;
  lifetimeSeconds: number;
  /** The current object links; read on every Register and Update. */
  objectLinks: () => string;
  logger: Logger;
  /** Called with each new registration location (e.g. to drop observations of an old registration). */
  onRegistered?: (location: string) => void;
};

type Response = { code: string; location: string[] };

/** Longest wait for one exchange, retransmissions included. */
const EXCHANGE_TIMEOUT_MS = 30_000;

/** One confirmable request to the server and its answer; rejects when none comes in time. */
export function exchange(
  agent: Agent,
  server: { host: string; port: number },
  method: "POST" | "DELETE",
  pathname: string,
  query?: string,
  payload?: string,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({
      hostname: server.host,
      port: server.port,
      method,
      pathname,
      ...(query ? { query } : {}),
      confirmable: true,
      agent,
    });
    const timer = setTimeout(() => reject(new Error("no answer from the LwM2M server")), EXCHANGE_TIMEOUT_MS);
    req.on("response", (res) => {
      clearTimeout(timer);
      const options = (res as IncomingMessage)._packet.options ?? [];
      const location = options.filter((o) => o.name === "Location-Path").map((o) => String(o.value));
      resolve({ code: res.code, location });
    });
    req.on("error", (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
    if (payload !== undefined) {
      req.setOption("Content-Format", "application/link-format");
      req.write(payload);
    }
    req.end();
  });
}

export class Registration {
  private readonly o: RegistrationOptions;
  private location: string[] | undefined;
  private sentLinks = "";
  private stopped = false;
  private wake: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;

  constructor(o: RegistrationOptions) {
    this.o = o;
  }

  /** The registration's location (e.g. `/rd/5a3f`), or undefined while not registered. */
  get current(): string | undefined {
    return this.location ? `/${this.location.join("/")}` : undefined;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Sends an Update soon (object links changed, or the server asked for one). */
  updateNow(): void {
    this.wake?.();
  }

  private exchange(method: "POST" | "DELETE", pathname: string, query?: string, payload?: string) {
    return exchange(this.o.agent, this.o.server, method, pathname, query, payload);
  }

  private async register(): Promise<void> {
    const links = this.o.objectLinks();
    const query = `ep=${encodeURIComponent(this.o.endpoint)}&lt=${this.o.lifetimeSeconds}&lwm2m=1.0&b=U`;
    const res = await this.exchange("POST", "/rd", query, links);
    if (res.code !== "2.01" || res.location.length === 0) throw new Error(`Register answered ${res.code}`);
    this.location = res.location;
    this.sentLinks = links;
    this.o.logger.info("registered with the LwM2M server", { location: this.current });
    this.o.onRegistered?.(this.current as string);
  }

  /** Returns false when the server no longer knows the registration. */
  private async update(): Promise<boolean> {
    const links = this.o.objectLinks();
    const changed = links !== this.sentLinks;
    const res = await this.exchange("POST", this.current as string, undefined, changed ? links : undefined);
    if (res.code === "2.04") {
      this.sentLinks = links;
      return true;
    }
    this.o.logger.info("the LwM2M server refused the update; registering again", { code: res.code });
    return false;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
    }).then(() => {
      clearTimeout(this.timer);
      this.wake = undefined;
    });
  }

  private async run(): Promise<void> {
    let backoff = 1000;
    // Update at half the lifetime, so one lost Update still leaves time for another.
    const period = Math.max(1000, (this.o.lifetimeSeconds * 1000) / 2);
    while (!this.stopped) {
      try {
        if (!this.location) await this.register();
        else if (!(await this.update())) this.location = undefined;
        backoff = 1000;
        if (this.location) await this.sleep(period);
      } catch (err) {
        if (this.stopped) break;
        this.o.logger.warn("LwM2M registration failed; retrying", { err, retryInMs: backoff });
        this.location = undefined;
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  /** Stops updating and de-registers (best effort, bounded wait). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    const location = this.current;
    this.location = undefined;
    if (location) {
      await Promise.race([
        this.exchange("DELETE", location).catch(() => undefined),
        new Promise((r) => setTimeout(r, 3000)),
      ]);
    }
  }
}
