/**
 * Pure: what a device may publish (a TD, an event value, a property value) and the append request it becomes.
 * Every binding (MQTT, HTTP, CoAP) goes through here, so the same payload is stored the same way whatever the
 * protocol. Facts a device causes carry the CloudEvents source `devices/{device}`.
 */
import { ValidationError } from "../../core/errors.ts";
import type { AppendRequest } from "../../core/event-log.ts";
import { subjects } from "../../core/subjects.ts";

export type DeviceFact = { kind: "td"; thing: string } | { kind: "event" | "property"; thing: string; name: string };

/** The CloudEvents source of facts a device causes. */
export const deviceSource = (device: string): string => `devices/${device}`;

/** The device an event's source names, or undefined when a device did not cause it. */
export function deviceOfSource(source: string): string | undefined {
  return source.startsWith("devices/") && source.length > 8 ? source.slice(8) : undefined;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** Parses a JSON payload; an empty or non-JSON body is a ValidationError naming the problem. */
export function parseJsonPayload(payload: Uint8Array | string): unknown {
  let text: string;
  try {
    text = typeof payload === "string" ? payload : decoder.decode(payload);
  } catch {
    throw new ValidationError("the payload is not UTF-8 text", [{ path: "(payload)", message: "not UTF-8" }]);
  }
  if (text.trim() === "") {
    throw new ValidationError("the payload is empty; send a JSON value", [{ path: "(payload)", message: "empty" }]);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("the payload is not valid JSON", [{ path: "(payload)", message: "not valid JSON" }]);
  }
}

/**
 * The append request for a fact a device published, with the device's own time when it gave one (the event log
 * keeps it only when sane); the event log checks the payload against the catalogue.
 */
export function factRequest(device: string, fact: DeviceFact, data: unknown, time?: Date): AppendRequest {
  const source = deviceSource(device);
  const at = time ? { time } : {};
  if (fact.kind === "td") {
    return { subject: subjects.thingTd(fact.thing), type: "spokes.ThingDescribed", data, source, ...at };
  }
  if (fact.kind === "event") {
    return { subject: subjects.event(fact.thing, fact.name), type: "spokes.EventEmitted", data, source, ...at };
  }
  return { subject: subjects.property(fact.thing, fact.name), type: "spokes.PropertyReported", data, source, ...at };
}
