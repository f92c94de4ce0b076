/** A node-coap request as the transport-free `ServerRequest` the gateway answers. */
import type { IncomingMessage } from "coap";
import type { ServerRequest } from "./requests.ts";

/** node-coap hands known Content-Format and Accept values over as media types; LwM2M speaks numbers. */
const FORMAT_NUMBERS: Record<string, number> = {
  "text/plain": 0,
  "application/link-format": 40,
  "application/octet-stream": 42,
  "application/json": 50,
  "application/cbor": 60,
  "application/senml+json": 110,
  "application/senml+cbor": 112,
  "application/vnd.oma.lwm2m+tlv": 11542,
  "application/vnd.oma.lwm2m+json": 11543,
  "application/vnd.oma.lwm2m+cbor": 11544,
};

/** An option's number; a media type nobody here speaks becomes -1 (unsupported, never a valid format). */
const optionNumber = (value: unknown): number | undefined => {
  if (typeof value === "number") return value;
  if (typeof value === "string") return FORMAT_NUMBERS[value.split(";")[0] ?? ""] ?? -1;
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
