/** A node-coap request as the transport-free `ServerRequest` the gateway answers. */
import type { IncomingMessage } from "coap";
import { contentFormatOf } from "../shared/content-formats.ts";
import type { ServerRequest } from "./requests.ts";

/** An option's number; a media type nobody here speaks becomes -1 (unsupported, never a valid format). */
const optionNumber = (value: unknown): number | undefined => {
  if (typeof value === "number") return value;
  // node-coap hands known Content-Format and Accept values over as media types; LwM2M speaks numbers.
  if (typeof value === "string") return contentFormatOf(value) ?? -1;
  if (!Buffer.isBuffer(value)) return undefined;
  return value.length === 0 ? 0 : value.readUIntBE(0, Math.min(value.length, 4));
};

export function parseRequest(req: IncomingMessage): ServerRequest {
  const options = req._packet.options ?? [];
  const raw = (name: string) => options.filter((o) => o.name === name).map((o) => o.value);
  return {
    method: req.method,
    path: `/${raw("Uri-Path").map(String).join("/")}`,
    query: raw("Uri-Query").map(String),
    accept: optionNumber(raw("Accept")[0]),
    contentFormat: optionNumber(raw("Content-Format")[0]),
    payload: new Uint8Array(req.payload),
  };
}
