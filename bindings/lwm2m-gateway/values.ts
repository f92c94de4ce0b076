/**
 * Hub values (JSON, as stored in EVENTS and sent in action inputs) to LwM2M typed values and back. Pure. A hub
 * value that cannot take the exposed type gives undefined (the gateway then answers as if there were no value).
 */

import type { Lwm2mDataType } from "../../core/lwm2m-gateway-mapping.ts";
import type { ResourceValue } from "../coap/codec/index.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const INTEGER = /^-?(0|[1-9][0-9]{0,18})$/;

/** A hub JSON value as an LwM2M value of `type`, or undefined when it cannot be one. */
export function toResourceValue(json: unknown, type: Lwm2mDataType): ResourceValue | undefined {
  switch (type) {
    case "string":
      return { type, value: typeof json === "string" ? json : JSON.stringify(json) };
    case "integer":
      if (typeof json === "number" && Number.isFinite(json)) return { type, value: BigInt(Math.trunc(json)) };
      if (typeof json === "string" && INTEGER.test(json)) return { type, value: BigInt(json) };
      if (typeof json === "boolean") return { type, value: json ? 1n : 0n };
      return undefined;
    case "float":
      if (typeof json === "number" && Number.isFinite(json)) return { type, value: json };
      if (typeof json === "boolean") return { type, value: json ? 1 : 0 };
      return undefined;
    case "boolean":
      if (typeof json === "boolean") return { type, value: json };
      if (typeof json === "number") return { type, value: json !== 0 };
      return undefined;
    case "opaque":
      return { type, value: encoder.encode(typeof json === "string" ? json : JSON.stringify(json)) };
    case "time": {
      const ms = typeof json === "number" ? json * 1000 : typeof json === "string" ? Date.parse(json) : Number.NaN;
      return Number.isFinite(ms) ? { type, value: BigInt(Math.floor(ms / 1000)) } : undefined;
    }
  }
}

/** An LwM2M value as the hub JSON value a property write or action input carries. */
export function toHubValue(v: ResourceValue): unknown {
  switch (v.type) {
    case "integer":
    case "unsigned":
      return v.value >= BigInt(Number.MIN_SAFE_INTEGER) && v.value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(v.value)
        : v.value.toString();
    case "time":
      return new Date(Number(v.value) * 1000).toISOString();
    case "opaque":
      return decoder.decode(v.value);
    case "objlnk":
      return `${v.value.objectId}:${v.value.instanceId}`;
    default:
      return v.value;
  }
}
