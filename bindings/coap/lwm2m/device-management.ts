/**
 * Device management and information reporting toward registered clients: Read, Write (replace and partial),
 * Execute, Discover, Write-Attributes, Observe and its cancellation. Every request goes through the request queue,
 * so queue-mode clients get them only while awake. What the device answers is decoded with the object registry.
 */
import { z } from "zod";
import {
  ForbiddenError,
  NotFoundError,
  type SpokesError,
  UnavailableError,
  ValidationError,
} from "../../../core/errors.ts";
import { issuesOf } from "../../../core/event-log.ts";
import { LINK_FORMAT } from "../coap-formats.ts";
import {
  absoluteTime,
  CONTENT_FORMAT,
  decode,
  decodeTimestamped,
  encode,
  type LwM2mNode,
  type LwM2mPath,
  parsePath,
  pathLevel,
} from "../codec/index.ts";
import type { ObjectRegistry } from "../objects/index.ts";
import type { DeviceRequest, DeviceRequests, DeviceResponse, Observation } from "./device-requests.ts";
import { valueOfJson } from "./json-values.ts";
import { type Link, parseLinkFormat } from "./link-format.ts";
import type { Registration } from "./registrations.ts";
import type { RequestQueue } from "./request-queue.ts";

export type ManagementOptions = {
  requests: DeviceRequests;
  queue: RequestQueue;
  registry: ObjectRegistry;
  /** Values the device reported for a path (read answer or notification), with the device's time when it gave one. */
  report: (r: Registration, path: LwM2mPath, node: LwM2mNode, time?: Date) => void;
  /** The device spoke (a notification): it is awake. */
  onActivity: (endpoint: string) => void;
  onError: (what: string, err: unknown) => void;
};

/** Write-Attributes of LwM2M 1.0/1.1 (`pmin`, `pmax` in seconds; `gt`, `lt`, `st` numbers). */
export const attributesSchema = z.strictObject({
  pmin: z.number().int().min(0).optional(),
  pmax: z.number().int().min(0).optional(),
  gt: z.number().finite().optional(),
  lt: z.number().finite().optional(),
  st: z.number().finite().min(0).optional(),
});
export type NotificationAttributes = z.infer<typeof attributesSchema>;

/** Turns a device's error answer into the hub's error, naming the operation but no payload. */
export function errorOfDeviceCode(code: string, what: string): SpokesError {
  switch (code) {
    case "4.04":
      return new NotFoundError(`${what}: the device has no such resource (4.04)`);
    case "4.05":
    case "4.01":
    case "4.03":
      return new ForbiddenError(`the device does not allow ${what} (${code})`);
    case "4.00":
    case "4.02":
    case "4.06":
    case "4.15":
      return new ValidationError(`the device refused ${what} (${code})`);
    default:
      return new UnavailableError(`the device failed ${what} (${code})`);
  }
}

type Active = { registrationId: string; observation: Observation };

export class DeviceManagement {
  readonly #o: ManagementOptions;
  /** endpoint → path → observation in progress. */
  readonly #active = new Map<string, Map<string, Active>>();
  /** endpoint → path → Accept, observations to make again after a new registration. */
  readonly #wanted = new Map<string, Map<string, number | undefined>>();

  constructor(o: ManagementOptions) {
    this.#o = o;
  }

  #send(endpoint: string, r: DeviceRequest, what: string, ok: readonly string[]): Promise<DeviceResponse> {
    return this.#o.queue.perform(endpoint, async (reg) => {
      const res = await this.#o.requests.send(reg.peer, r);
      if (!ok.includes(res.code)) throw errorOfDeviceCode(res.code, what);
      return res;
    });
  }

  /** Reports every value of an answer, each with the time the device gave it (SenML and LwM2M JSON carry times). */
  #report(reg: Registration, res: DeviceResponse, path: LwM2mPath): void {
    const format = res.format ?? CONTENT_FORMAT.text;
    const nowS = Date.now() / 1000;
    for (const { time, node } of decodeTimestamped(format, res.payload, path, this.#o.registry.types)) {
      this.#o.report(reg, path, node, time === undefined ? undefined : new Date(absoluteTime(time, nowS) * 1000));
    }
  }

  #decode(res: DeviceResponse, path: LwM2mPath): LwM2mNode {
    const format = res.format ?? CONTENT_FORMAT.text;
    return decode(format, res.payload, path, this.#o.registry.types);
  }

  /** Read: the node at `path`, decoded; also reported as property values. */
  async read(
    endpoint: string,
    path: string,
    accept?: number,
  ): Promise<{ format: number | undefined; node: LwM2mNode }> {
    const at = parsePath(path);
    const res = await this.#send(
      endpoint,
      { method: "GET", path, ...(accept !== undefined ? { accept } : {}) },
      `Read ${path}`,
      ["2.05"],
    );
    const node = this.#decode(res, at);
    const reg = this.#registration(endpoint);
    if (reg) this.#report(reg, res, at);
    return { format: res.format, node };
  }

  #registration(endpoint: string): Registration | undefined {
    return this.#o.queue.registrationOf(endpoint);
  }

  /**
   * Write: `replace` (PUT) replaces the resource or instance, otherwise (POST, instances only) updates the
   * resources given. TLV unless `format` says otherwise.
   */
  async write(
    endpoint: string,
    path: string,
    node: LwM2mNode,
    o: { replace?: boolean; format?: number } = {},
  ): Promise<void> {
    const at = parsePath(path);
    const replace = o.replace ?? true;
    if (!replace && pathLevel(at) !== "object-instance")
      throw new ValidationError("a partial update writes an object instance");
    const format = o.format ?? CONTENT_FORMAT.tlv;
    const payload = encode(format, node, at);
    await this.#send(endpoint, { method: replace ? "PUT" : "POST", path, format, payload }, `Write ${path}`, [
      "2.04",
      "2.01",
    ]);
  }

  /** Write of one resource from its JSON value, typed by the object definition. */
  writeValue(endpoint: string, path: string, value: unknown, format?: number): Promise<void> {
    const at = parsePath(path);
    if (at.resourceId === undefined || at.resourceInstanceId !== undefined)
      throw new ValidationError("a value is written to a resource");
    const typed = valueOfJson(value, this.#o.registry.types(at.objectId, at.resourceId));
    return this.write(
      endpoint,
      path,
      { kind: "single-resource", id: at.resourceId, value: typed },
      format !== undefined ? { format } : {},
    );
  }

  /** Execute, with optional arguments (`0='x',1`). */
  async execute(endpoint: string, path: string, args?: string): Promise<void> {
    const at = parsePath(path);
    if (pathLevel(at) !== "resource") throw new ValidationError("Execute addresses a resource");
    if (args !== undefined && (args.length > 1024 || !/^[\x20-\x7e]*$/.test(args)))
      throw new ValidationError("execute arguments must be short printable text");
    const payload = args ? new TextEncoder().encode(args) : undefined;
    await this.#send(
      endpoint,
      { method: "POST", path, ...(payload ? { payload, format: CONTENT_FORMAT.text } : {}) },
      `Execute ${path}`,
      ["2.04"],
    );
  }

  /** Discover: the links (with attributes) below `path`. */
  async discover(endpoint: string, path: string): Promise<Link[]> {
    parsePath(path);
    const res = await this.#send(endpoint, { method: "GET", path, accept: LINK_FORMAT }, `Discover ${path}`, ["2.05"]);
    return parseLinkFormat(res.payload.toString("utf8"));
  }

  /** Write-Attributes: notification attributes on `path`; an attribute given as null is removed. */
  async writeAttributes(
    endpoint: string,
    path: string,
    attributes: NotificationAttributes | Record<string, unknown>,
  ): Promise<void> {
    parsePath(path);
    const parsed = attributesSchema.safeParse(attributes);
    if (!parsed.success) throw new ValidationError("notification attributes are invalid", issuesOf(parsed.error));
    const query = Object.entries(parsed.data)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    if (query.length === 0) throw new ValidationError("give at least one attribute");
    await this.#send(endpoint, { method: "PUT", path, query }, `Write-Attributes ${path}`, ["2.04"]);
  }

  /** Observe: the current value (reported), then every notification until cancelled or a new registration. */
  async observe(endpoint: string, path: string, accept?: number): Promise<LwM2mNode> {
    const wanted = this.#wanted.get(endpoint) ?? new Map();
    wanted.set(path, accept);
    this.#wanted.set(endpoint, wanted);
    return this.#observeNow(endpoint, path, accept);
  }

  async #observeNow(endpoint: string, path: string, accept?: number): Promise<LwM2mNode> {
    const at = parsePath(path);
    return this.#o.queue.perform(endpoint, async (reg) => {
      this.#active.get(endpoint)?.get(path)?.observation.cancel("reset");
      const onNotify = (n: DeviceResponse) => {
        const current = this.#registration(endpoint);
        if (!current || current.id !== reg.id) return;
        this.#o.onActivity(endpoint);
        try {
          this.#report(current, n, at);
        } catch (err) {
          this.#o.onError(`notification for ${path}`, err);
        }
      };
      const onEnd = () => {
        const mine = this.#active.get(endpoint);
        if (mine?.get(path)?.registrationId === reg.id) mine.delete(path);
      };
      const request: DeviceRequest = { method: "GET", path, ...(accept !== undefined ? { accept } : {}) };
      const observation = await this.#o.requests.observe(reg.peer, request, onNotify, onEnd);
      if (observation.first.code !== "2.05") throw errorOfDeviceCode(observation.first.code, `Observe ${path}`);
      const paths = this.#active.get(endpoint) ?? new Map<string, Active>();
      paths.set(path, { registrationId: reg.id, observation });
      this.#active.set(endpoint, paths);
      const node = this.#decode(observation.first, at);
      this.#report(reg, observation.first, at);
      return node;
    });
  }

  /** Paths observed for the endpoint's current registration. */
  observing(endpoint: string): string[] {
    return [...(this.#active.get(endpoint)?.keys() ?? [])];
  }

  /**
   * Cancels an observation: "active" sends GET with Observe 1 at once, "reset" answers the next notification
   * with Reset. Either way it is not made again after a new registration.
   */
  cancelObservation(endpoint: string, path: string, how: "active" | "reset" = "active"): boolean {
    this.#wanted.get(endpoint)?.delete(path);
    const active = this.#active.get(endpoint)?.get(path);
    if (!active) return false;
    this.#active.get(endpoint)?.delete(path);
    active.observation.cancel(how);
    return true;
  }

  /** A new registration ends the observations of the previous one; the wanted ones are made again. */
  async reobserve(endpoint: string, extra: readonly string[]): Promise<void> {
    this.forget(endpoint, false);
    const wanted = this.#wanted.get(endpoint) ?? new Map<string, number | undefined>();
    const paths = new Map<string, number | undefined>(extra.map((p) => [p, undefined]));
    for (const [p, a] of wanted) paths.set(p, a);
    await Promise.all(
      [...paths].map(([p, a]) =>
        this.#observeNow(endpoint, p, a).catch((err: unknown) => this.#o.onError(`Observe ${p}`, err)),
      ),
    );
  }

  /** Drops the endpoint's observations (their next notification gets a Reset); `all` also forgets wanted ones. */
  forget(endpoint: string, all: boolean): void {
    for (const a of this.#active.get(endpoint)?.values() ?? []) a.observation.cancel("reset");
    this.#active.delete(endpoint);
    if (all) this.#wanted.delete(endpoint);
  }
}
