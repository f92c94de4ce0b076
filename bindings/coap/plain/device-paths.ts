/**
 * Pure: the plain-CoAP device paths, the same as the HTTP device endpoint's. Each Uri-Path option is one segment,
 * so Thing ids travel as they are (no percent-encoding):
 *
 *   PUT  things/{thing}/td               TD JSON → 2.04 once stored
 *   GET  things/{thing}/td               the Thing's TD (owner only; large ones in blocks)
 *   POST things/{thing}/event/{name}     JSON value → 2.04 once stored
 *   PUT  things/{thing}/property/{name}  JSON value → 2.04 once stored
 *   GET  devices/{device}/actions        waiting actions (JSON array); with Observe, every new delivery
 *   POST actions/{actionId}/status       {status:"completed", output?} | {status:"failed", error} → 2.04
 */
import { z } from "zod";
import { ValidationError } from "../../../core/errors.ts";
import { json } from "../../../core/messages.ts";
import type { DeviceFact } from "../../shared/device-facts.ts";

export type PlainRoute =
  | { op: "fact"; method: "PUT" | "POST"; fact: DeviceFact }
  | { op: "read-td"; thing: string }
  | { op: "actions"; device: string }
  | { op: "status"; actionId: string };

export const actionStatus = z.discriminatedUnion("status", [
  z.object({ status: z.literal("completed"), output: json.optional() }),
  z.object({ status: z.literal("failed"), error: z.string().min(1).max(2000) }),
]);

const id = (s: string | undefined): string => {
  if (s === undefined || s.length === 0 || s.length > 256 || !s.isWellFormed()) {
    throw new ValidationError("ids in the path must be 1 to 256 characters");
  }
  return s;
};

/** The route of a method and Uri-Path segments; undefined when the path is not a device path. */
export function matchPlainPath(method: string, p: readonly string[]): PlainRoute | undefined {
  if (p[0] === "things" && p.length === 3 && p[2] === "td") {
    return method === "GET"
      ? { op: "read-td", thing: id(p[1]) }
      : { op: "fact", method: "PUT", fact: { kind: "td", thing: id(p[1]) } };
  }
  if (p[0] === "things" && p.length === 4 && (p[2] === "event" || p[2] === "property")) {
    const kind = p[2];
    return { op: "fact", method: kind === "event" ? "POST" : "PUT", fact: { kind, thing: id(p[1]), name: id(p[3]) } };
  }
  if (p[0] === "devices" && p.length === 3 && p[2] === "actions") return { op: "actions", device: id(p[1]) };
  if (p[0] === "actions" && p.length === 3 && p[2] === "status") return { op: "status", actionId: id(p[1]) };
  return undefined;
}

/** The method a route takes; anything else is 4.05. */
export function methodOf(route: PlainRoute): string {
  switch (route.op) {
    case "fact":
      return route.method;
    case "read-td":
    case "actions":
      return "GET";
    case "status":
      return "POST";
  }
}
