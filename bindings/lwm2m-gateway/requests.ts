/**
 * Answers the upstream server's requests (Read, Discover, Write, Write-Attributes, Execute) against the resource
 * table. Transport-free: the worker passes in a parsed request and the ports that reach the hub, and sends back
 * the reply. Every error becomes a CoAP code in `coapCodeOf`, the one place this protocol maps errors.
 */

import { ForbiddenError, NotFoundError, UnavailableError, ValidationError } from "../../core/errors.ts";
import type { ResolvedExposure } from "../../core/lwm2m-gateway-mapping.ts";
import {
  CodecError,
  decode,
  ENCODABLE_FORMATS,
  encode,
  type LwM2mNode,
  type LwM2mPath,
  type ObjectInstanceNode,
  parsePath,
  pathLevel,
  type ResourceNode,
} from "../coap/codec/index.ts";
import type { GatewayResource, ResourceTable } from "./resource-table.ts";
import { toHubValue, toResourceValue } from "./values.ts";

export const LINK_FORMAT = 40;
export const TLV = 11542;

export type ServerRequest = {
  method: string;
  /** The Uri-Path segments joined with `/`, starting with `/`. */
  path: string;
  /** Uri-Query options, e.g. `pmin=5`. */
  query: string[];
  accept?: number;
  contentFormat?: number;
  payload: Uint8Array;
};

export type Reply = { code: string; format?: number; payload?: Uint8Array };

/** Notification attributes of a path (Write-Attributes), in seconds. */
export type Attributes = { pmin?: number; pmax?: number };

/** The value of an exposed affordance; undefined when it has none. */
export type ValueSource = (e: ResolvedExposure) => Promise<unknown>;

/** What answering needs from the hub and from the worker. */
export type GatewayPorts = {
  /** The affordance's latest stored value; undefined when it has none. Observations notify this. */
  latest: ValueSource;
  /** The value a Read answers: the latest, after asking the device for it when it is stale. */
  read: ValueSource;
  /** Appends the action request a write or execute stands for; resolves once stored. */
  request(e: ResolvedExposure, input: unknown): Promise<void>;
  triggerUpdate(): void;
  setAttributes(path: LwM2mPath, attributes: Attributes): void;
};

const reply = (code: string): Reply => ({ code });
const readable = (r: GatewayResource) => r.access === "read" || r.access === "readwrite";
const writable = (r: GatewayResource) => r.access === "write" || r.access === "readwrite";

/** The one mapping from errors to CoAP response codes. Unexpected errors are 5.00 with no detail. */
export function coapCodeOf(error: unknown): string {
  if (error instanceof CodecError && error.code === "unsupported-format") return "4.15";
  if (error instanceof ValidationError) return "4.00";
  if (error instanceof NotFoundError) return "4.04";
  if (error instanceof ForbiddenError) return "4.03";
  if (error instanceof UnavailableError) return "5.03";
  return "5.00";
}

/** Parses a request path into an LwM2M path; anything else is not ours (4.04). */
export function lwm2mPathOf(text: string): LwM2mPath | undefined {
  try {
    return parsePath(text);
  } catch {
    return undefined;
  }
}

async function currentValue(r: GatewayResource, valueSource: ValueSource) {
  if (r.type === "none") return undefined;
  const json = r.exposure ? await valueSource(r.exposure) : r.fixed;
  return json === undefined ? undefined : toResourceValue(json, r.type);
}

/**
 * The node a Read of `path` returns, or a reply code when it cannot be read. `valueSource` gives each resource's
 * value (`ports.read` for a Read, `ports.latest` for an observation); an instance's or object's resources are
 * fetched at once, so asking several devices costs one wait.
 */
export async function readNode(
  path: LwM2mPath,
  table: ResourceTable,
  valueSource: ValueSource,
): Promise<LwM2mNode | Reply> {
  const level = pathLevel(path);
  if (level === "resource-instance" || !table.exists(path)) return reply("4.04");
  const targets = table.under(path);
  if (level === "resource") {
    const [r] = targets;
    if (!r || !readable(r)) return reply("4.05");
    const value = await currentValue(r, valueSource);
    return value ? { kind: "single-resource", id: path.resourceId ?? 0, value } : reply("4.04");
  }
  const values = await Promise.all(targets.map((r) => (readable(r) ? currentValue(r, valueSource) : undefined)));
  const instances = new Map<number, ResourceNode[]>();
  for (const [i, r] of targets.entries()) {
    const list = instances.get(r.path.instanceId ?? 0) ?? [];
    instances.set(r.path.instanceId ?? 0, list);
    const value = values[i];
    if (value) list.push({ kind: "single-resource", id: r.path.resourceId ?? 0, value });
  }
  const nodes: ObjectInstanceNode[] = [...instances].map(([id, resources]) => ({
    kind: "object-instance",
    id,
    resources,
  }));
  if (level === "object-instance") return nodes[0] ?? reply("4.04");
  return { kind: "object", id: path.objectId, instances: nodes };
}

/** Encodes a read result in the requested format (TLV when none was asked for). */
export function encodeReply(node: LwM2mNode | Reply, path: LwM2mPath, accept: number | undefined): Reply {
  if ("code" in node) return node;
  const format = accept ?? TLV;
  if (!ENCODABLE_FORMATS.includes(format)) return reply("4.06");
  try {
    return { code: "2.05", format, payload: encode(format, node, path) };
  } catch (error) {
    // A format that cannot carry this node (text/plain for an instance) is not acceptable for this request.
    if (error instanceof CodecError) return reply("4.06");
    throw error;
  }
}

function discover(path: LwM2mPath, table: ResourceTable): Reply {
  if (!table.exists(path)) return reply("4.04");
  const links = table.under(path).map((r) => `</${r.path.objectId}/${r.path.instanceId}/${r.path.resourceId}>`);
  const head =
    pathLevel(path) === "resource"
      ? []
      : [`</${[path.objectId, path.instanceId].filter((x) => x !== undefined).join("/")}>`];
  return { code: "2.05", format: LINK_FORMAT, payload: new TextEncoder().encode([...head, ...links].join(",")) };
}

function parseAttributes(query: readonly string[]): Attributes | undefined {
  const out: Attributes = {};
  for (const q of query) {
    const m = /^(pmin|pmax)=(0|[1-9][0-9]{0,8})$/.exec(q);
    if (m?.[1] === "pmin" || m?.[1] === "pmax") out[m[1]] = Number(m[2]);
    else if (!/^(gt|lt|st|epmin|epmax)=/.test(q)) return undefined;
  }
  return out;
}

async function write(req: ServerRequest, path: LwM2mPath, table: ResourceTable, ports: GatewayPorts): Promise<Reply> {
  const level = pathLevel(path);
  if (level === "object" || level === "resource-instance" || !table.exists(path)) {
    return reply(table.exists(path) ? "4.05" : "4.04");
  }
  if (req.contentFormat === undefined) return reply("4.00");
  const node = decode(req.contentFormat, req.payload, path, table.types);
  const written = node.kind === "object-instance" ? node.resources : [node];
  const targets: [GatewayResource, unknown][] = [];
  for (const resource of written) {
    const r = table.resources.get(`/${path.objectId}/${path.instanceId}/${resource.id}`);
    if (!r) return reply("4.04");
    if (!writable(r) || !r.exposure) return reply("4.05");
    if (resource.kind !== "single-resource" || resource.value.type !== r.type) return reply("4.00");
    targets.push([r, toHubValue(resource.value)]);
  }
  for (const [r, value] of targets) if (r.exposure) await ports.request(r.exposure, value);
  return reply("2.04");
}

async function execute(req: ServerRequest, path: LwM2mPath, table: ResourceTable, ports: GatewayPorts): Promise<Reply> {
  const r = table.resources.get(`/${path.objectId}/${path.instanceId}/${path.resourceId}`);
  if (!r) return reply("4.04");
  if (r.access !== "execute") return reply("4.05");
  let args: string;
  try {
    args = new TextDecoder("utf-8", { fatal: true }).decode(req.payload);
  } catch {
    return reply("4.00");
  }
  if (r.trigger === "registration-update") ports.triggerUpdate();
  else if (r.exposure) await ports.request(r.exposure, args === "" ? undefined : args);
  return reply("2.04");
}

/** Answers one request that is not an Observe (the worker handles those with `readNode`). */
export async function answer(req: ServerRequest, table: ResourceTable, ports: GatewayPorts): Promise<Reply> {
  try {
    const path = lwm2mPathOf(req.path);
    if (!path) return reply("4.04");
    const level = pathLevel(path);
    switch (req.method) {
      case "GET":
        if (req.accept === LINK_FORMAT) return discover(path, table);
        return encodeReply(await readNode(path, table, ports.read), path, req.accept);
      case "PUT": {
        if (req.payload.byteLength === 0 && req.query.length > 0) {
          const attributes = parseAttributes(req.query);
          if (!attributes) return reply("4.00");
          if (!table.exists(path)) return reply("4.04");
          ports.setAttributes(path, attributes);
          return reply("2.04");
        }
        return await write(req, path, table, ports);
      }
      case "POST":
        if (level === "resource") return await execute(req, path, table, ports);
        if (level === "object-instance") return await write(req, path, table, ports);
        return reply(table.exists(path) ? "4.05" : "4.04");
      default:
        return reply(table.exists(path) ? "4.05" : "4.04");
    }
  } catch (error) {
    return reply(coapCodeOf(error));
  }
}
