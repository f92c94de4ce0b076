/** CoAP Content-Format numbers of the media types node-coap names when it parses an option. Pure. */

/** The media types node-coap turns known Content-Format and Accept numbers into; anything else stays a number. */
export const CONTENT_FORMATS: Readonly<Record<string, number>> = {
  "text/plain": 0,
  "application/link-format": 40,
  "application/octet-stream": 42,
  "application/json": 50,
  "application/cbor": 60,
  "application/senml+json": 110,
  "application/senml+cbor": 112,
  "application/td+json": 432,
  "application/vnd.oma.lwm2m+tlv": 11542,
  "application/vnd.oma.lwm2m+json": 11543,
  "application/vnd.oma.lwm2m+cbor": 11544,
};

/** The Content-Format number of a media type (parameters after `;` ignored); undefined when unknown. */
export function contentFormatOf(mediaType: string): number | undefined {
  return CONTENT_FORMATS[mediaType.split(";")[0]?.trim() ?? ""];
}
