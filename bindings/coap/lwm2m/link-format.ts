/**
 * CoRE Link Format (RFC 6690) as LwM2M uses it: the object list of a Register or Update payload and the answer to a
 * Discover. Pure; errors are ValidationError with a message that never echoes the payload.
 */
import { ValidationError } from "../../../core/errors.ts";

/** One link: its target (e.g. `/3303/0`) and attributes (`ver`, `rt`, `ct`, `pmin`…); a bare attribute is `""`. */
export type Link = { target: string; attributes: Record<string, string> };

/** Longest link list accepted; a Register payload of a real device is far smaller. */
export const MAX_LINK_FORMAT_BYTES = 16 * 1024;
const MAX_LINKS = 1024;

/** Parses `</1/0>,</3/0>;ver=1.1,</3303/0>`. Throws ValidationError on anything that is not link format. */
export function parseLinkFormat(text: string): Link[] {
  if (text.length > MAX_LINK_FORMAT_BYTES) throw new ValidationError("link format payload is too large");
  const links: Link[] = [];
  let i = 0;
  const skipSpace = () => {
    while (text[i] === " " || text[i] === "\n" || text[i] === "\r" || text[i] === "\t") i++;
  };
  skipSpace();
  if (i === text.length) return links;
  for (;;) {
    skipSpace();
    if (text[i] !== "<") throw new ValidationError("a link must start with <");
    const close = text.indexOf(">", i);
    if (close < 0) throw new ValidationError("a link target is not closed with >");
    const target = text.slice(i + 1, close);
    if (target.length === 0 || /[\s<>,;"]/.test(target)) throw new ValidationError("a link target is malformed");
    i = close + 1;
    const attributes: Record<string, string> = {};
    while (text[i] === ";") {
      i++;
      const name = /^[A-Za-z0-9!#$&+\-.^_`|~]+/.exec(text.slice(i))?.[0];
      if (!name) throw new ValidationError("a link attribute has no name");
      i += name.length;
      let value = "";
      if (text[i] === "=") {
        i++;
        if (text[i] === '"') {
          const end = text.indexOf('"', i + 1);
          if (end < 0) throw new ValidationError("a quoted attribute value is not closed");
          value = text.slice(i + 1, end);
          i = end + 1;
        } else {
          value = /^[^,;]*/.exec(text.slice(i))?.[0] ?? "";
          i += value.length;
        }
      }
      if (Object.hasOwn(attributes, name)) throw new ValidationError(`link attribute ${name} appears twice`);
      attributes[name] = value;
    }
    links.push({ target, attributes });
    if (links.length > MAX_LINKS) throw new ValidationError("too many links");
    skipSpace();
    if (i === text.length) return links;
    if (text[i] !== ",") throw new ValidationError("links must be separated by commas");
    i++;
  }
}

/** Formats links back into link format; values that need it are quoted. */
export function formatLinkFormat(links: readonly Link[]): string {
  return links
    .map(({ target, attributes }) => {
      const attrs = Object.entries(attributes).map(([k, v]) =>
        v === "" ? `;${k}` : /^[0-9A-Za-z.\-_]+$/.test(v) ? `;${k}=${v}` : `;${k}="${v}"`,
      );
      return `<${target}>${attrs.join("")}`;
    })
    .join(",");
}

/** An object instance a client announced, with the object version when it gave one. */
export type AnnouncedInstance = { objectId: number; instanceId: number; version?: string };

const ID = /^(0|[1-9][0-9]{0,4})$/;

/**
 * The object instances a Register/Update payload announces, below the root path the client declared with
 * `rt="oma.lwm2m"` (default `/`). Links to whole objects carry versions only; other links are ignored.
 */
export function announcedInstances(links: readonly Link[]): AnnouncedInstance[] {
  const rootLink = links.find((l) => l.attributes.rt === "oma.lwm2m");
  const root = rootLink ? rootLink.target.replace(/\/$/, "") : "";
  const versions = new Map<number, string>();
  const found: AnnouncedInstance[] = [];
  for (const link of links) {
    if (!link.target.startsWith(`${root}/`)) continue;
    const parts = link.target.slice(root.length + 1).split("/");
    if (parts.length > 2 || !parts.every((p) => ID.test(p))) continue;
    const [objectId, instanceId] = parts.map(Number);
    if (objectId === undefined || objectId > 65535) continue;
    if (link.attributes.ver !== undefined) versions.set(objectId, link.attributes.ver);
    if (instanceId !== undefined && instanceId < 65535) found.push({ objectId, instanceId });
  }
  const seen = new Set<string>();
  return found
    .filter((x) => {
      const key = `${x.objectId}/${x.instanceId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((x) => {
      const version = versions.get(x.objectId);
      return version === undefined ? x : { ...x, version };
    });
}
