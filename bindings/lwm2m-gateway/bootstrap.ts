/**
 * Client-initiated bootstrap (LwM2M 1.0): the gateway sends Bootstrap-Request, the bootstrap server deletes and
 * writes Security (0) and Server (1) instances, then sends Bootstrap-Finish. This keeps what was written and tells
 * the worker which LwM2M server to register with: the first Security instance that is not a bootstrap server.
 * Pure apart from the `finished` promise; the worker feeds it the requests that arrive meanwhile.
 */
import { decode, type LwM2mPath, pathLevel, type ResourceTypes, type ResourceValue } from "../coap/codec/index.ts";
import { objectRegistry } from "../coap/objects/index.ts";
import { coapCodeOf, lwm2mPathOf, type Reply, type ServerRequest } from "./requests.ts";

/** Object 0 (LwM2M Security): the resources a bootstrap server writes, with their types. */
const SECURITY_TYPES: Record<number, ResourceValue["type"]> = {
  0: "string",
  1: "boolean",
  2: "integer",
  3: "opaque",
  4: "opaque",
  5: "opaque",
  6: "integer",
  7: "opaque",
  8: "opaque",
  9: "string",
  10: "integer",
  11: "integer",
  12: "integer",
};

const types: ResourceTypes = (objectId, resourceId) =>
  objectId === 0 ? SECURITY_TYPES[resourceId] : objectRegistry.types(objectId, resourceId);

export type BootstrapResult = { serverUrl: string; shortServerId?: number; lifetimeSeconds?: number };

type Instances = Map<number, Map<number, ResourceValue>>;

export class BootstrapSession {
  private readonly objects = new Map<number, Instances>([
    [0, new Map()],
    [1, new Map()],
  ]);
  private done: ((r: BootstrapResult | Error) => void) | undefined;
  /** Resolves at Bootstrap-Finish with the server to register with; rejects if the writes name none. */
  readonly finished: Promise<BootstrapResult>;

  constructor() {
    this.finished = new Promise((resolve, reject) => {
      this.done = (r) => (r instanceof Error ? reject(r) : resolve(r));
    });
  }

  /** Answers one request from the bootstrap server. */
  handle(req: ServerRequest): Reply {
    try {
      if (req.method === "POST" && req.path === "/bs") return this.finish();
      if (req.method === "DELETE") return this.remove(req.path === "/" ? undefined : lwm2mPathOf(req.path));
      const path = lwm2mPathOf(req.path);
      if (!path) return { code: "4.04" };
      if (req.method === "PUT" && (path.objectId === 0 || path.objectId === 1)) return this.write(path, req);
      return { code: "4.05" };
    } catch (error) {
      return { code: coapCodeOf(error) };
    }
  }

  private remove(path: LwM2mPath | undefined): Reply {
    if (path === undefined) {
      for (const instances of this.objects.values()) instances.clear();
    } else if (pathLevel(path) === "object") this.objects.get(path.objectId)?.clear();
    else if (pathLevel(path) === "object-instance") this.objects.get(path.objectId)?.delete(path.instanceId ?? 0);
    else return { code: "4.00" };
    return { code: "2.02" };
  }

  private write(path: LwM2mPath, req: ServerRequest): Reply {
    if (req.contentFormat === undefined) return { code: "4.00" };
    const node = decode(req.contentFormat, req.payload, path, types);
    const instances = this.objects.get(path.objectId) as Instances;
    const put = (instanceId: number, resourceId: number, value: ResourceValue) => {
      const resources = instances.get(instanceId) ?? new Map<number, ResourceValue>();
      instances.set(instanceId, resources);
      resources.set(resourceId, value);
    };
    const instanceNodes =
      node.kind === "object" ? node.instances : node.kind === "object-instance" ? [node] : undefined;
    if (instanceNodes) {
      for (const instance of instanceNodes) {
        instances.set(instance.id, new Map());
        for (const r of instance.resources) if (r.kind === "single-resource") put(instance.id, r.id, r.value);
      }
    } else if (node.kind === "single-resource") put(path.instanceId ?? 0, node.id, node.value);
    return { code: "2.04" };
  }

  private finish(): Reply {
    const security = [...(this.objects.get(0)?.values() ?? [])];
    const server = security.find((s) => s.get(1)?.value !== true && typeof s.get(0)?.value === "string");
    const uri = server?.get(0)?.value;
    if (typeof uri !== "string" || !uri.startsWith("coap://")) {
      this.done?.(new Error("the bootstrap server named no coap:// LwM2M server"));
      return { code: "4.06" };
    }
    const ssid = server?.get(10)?.value;
    const shortServerId = typeof ssid === "bigint" ? Number(ssid) : undefined;
    const config = [...(this.objects.get(1)?.values() ?? [])].find((s) => {
      const id = s.get(0)?.value;
      return shortServerId === undefined || (typeof id === "bigint" && Number(id) === shortServerId);
    });
    const lifetime = config?.get(1)?.value;
    this.done?.({
      serverUrl: uri,
      ...(shortServerId === undefined ? {} : { shortServerId }),
      ...(typeof lifetime === "bigint" && lifetime > 0n ? { lifetimeSeconds: Number(lifetime) } : {}),
    });
    return { code: "2.04" };
  }
}
