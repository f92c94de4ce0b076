/**
 * The request body limit, as a yoga plugin (yoga's own is switched off). A request with a valid Content-Length
 * carries exactly that many bytes (node:http frames the body by it), so checking the header is enough; only a body
 * without one (chunked) is counted as it streams. Yoga's plugin pipes every body through a transform stream; that
 * pipeline's objects outlive a young-generation collection often enough to be promoted, so a steady stream of
 * requests kept the scavenger copying several MB each time (10-25 ms pauses, the queries' p99).
 */
import { createGraphQLError, type Plugin } from "graphql-yoga";

/** What yoga allowed by default, kept. */
export const MAX_BODY_BYTES = 25_000_000;

const tooLarge = () =>
  createGraphQLError("the request body is too large", {
    extensions: { code: "REQUEST_ENTITY_TOO_LARGE", http: { status: 413 } },
  });

/** Refuses request bodies over `limit` bytes with 413 (and a malformed Content-Length with 400). */
export function bodyLimit(limit = MAX_BODY_BYTES): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const length = request.headers.get("content-length");
      if (length !== null) {
        // One decimal number only: a list of values or a sign is how request smuggling starts.
        if (!/^\d+$/.test(length)) {
          throw createGraphQLError("the Content-Length header is invalid", {
            extensions: { code: "BAD_REQUEST", http: { status: 400 } },
          });
        }
        if (Number(length) > limit) throw tooLarge();
        return;
      }
      const parse = requestParser;
      if (!parse || !request.body) return;
      setRequestParser((req) => {
        const body = req.body;
        if (!body) return parse(req);
        // A native stream needs the native TransformStream, the ponyfill's stream its own.
        const Transform = body instanceof ReadableStream ? TransformStream : fetchAPI.TransformStream;
        let seen = 0;
        const counted = body.pipeThrough(
          new Transform<Uint8Array, Uint8Array>({
            transform(chunk, controller) {
              seen += chunk.byteLength;
              if (seen > limit) controller.error(tooLarge());
              else controller.enqueue(chunk);
            },
          }),
        );
        return parse(
          new fetchAPI.Request(req.url, {
            method: req.method,
            headers: req.headers,
            signal: req.signal,
            body: counted,
            duplex: "half",
          } as RequestInit),
        );
      });
    },
  };
}
