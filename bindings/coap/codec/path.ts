import { CodecError } from "./codec-error.ts";

/**
 * An LwM2M path: an object, an object instance, a resource or a resource instance. Ids are 0..65535 (16 bits,
 * the widest a TLV identifier can carry); instance id 65535 is reserved by the spec (MAX_ID) and refused.
 */
export type LwM2mPath =
  | { objectId: number; instanceId?: undefined; resourceId?: undefined; resourceInstanceId?: undefined }
  | { objectId: number; instanceId: number; resourceId?: undefined; resourceInstanceId?: undefined }
  | { objectId: number; instanceId: number; resourceId: number; resourceInstanceId?: undefined }
  | { objectId: number; instanceId: number; resourceId: number; resourceInstanceId: number };

/** How deep a path reaches. */
export type PathLevel = "object" | "object-instance" | "resource" | "resource-instance";

const SEGMENT = /^(0|[1-9][0-9]{0,4})$/;

/** Parses `/3`, `/3/0`, `/3/0/5700` or `/3/0/6/1`; throws CodecError `bad-path` on anything else. */
export function parsePath(text: string): LwM2mPath {
  if (!text.startsWith("/")) throw new CodecError("bad-path", "a path starts with /");
  const parts = text.slice(1).split("/");
  if (parts.length > 4) throw new CodecError("bad-path", "a path has at most 4 segments");
  const ids = parts.map((part) => {
    if (!SEGMENT.test(part)) throw new CodecError("bad-path", "path segments are decimal ids without leading zeros");
    return Number(part);
  });
  return pathOf(ids);
}

/** Builds a path from 1..4 ids, checking each range. */
export function pathOf(ids: readonly number[]): LwM2mPath {
  for (const [index, id] of ids.entries()) {
    const max = index === 1 ? 65534 : 65535;
    if (!Number.isInteger(id) || id < 0 || id > max) throw new CodecError("bad-path", `path id out of range 0..${max}`);
  }
  const [o, i, r, ri] = ids;
  if (o === undefined || ids.length > 4) throw new CodecError("bad-path", "a path has 1 to 4 ids");
  if (i === undefined) return { objectId: o };
  if (r === undefined) return { objectId: o, instanceId: i };
  if (ri === undefined) return { objectId: o, instanceId: i, resourceId: r };
  return { objectId: o, instanceId: i, resourceId: r, resourceInstanceId: ri };
}

/** The ids of a path, outermost first. */
export function pathIds(path: LwM2mPath): number[] {
  return [path.objectId, path.instanceId, path.resourceId, path.resourceInstanceId].filter(
    (id): id is number => id !== undefined,
  );
}

/** Formats a path as `/3/0/5700`. */
export function formatPath(path: LwM2mPath): string {
  return `/${pathIds(path).join("/")}`;
}

/** The level a path addresses. */
export function pathLevel(path: LwM2mPath): PathLevel {
  if (path.instanceId === undefined) return "object";
  if (path.resourceId === undefined) return "object-instance";
  if (path.resourceInstanceId === undefined) return "resource";
  return "resource-instance";
}

/** True when `inner` is `outer` or lies below it. */
export function isUnder(inner: LwM2mPath, outer: LwM2mPath): boolean {
  const a = pathIds(inner);
  const b = pathIds(outer);
  return b.length <= a.length && b.every((id, index) => a[index] === id);
}
