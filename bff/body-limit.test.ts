import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createSchema, createYoga } from "graphql-yoga";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bodyLimit } from "./body-limit.ts";

const LIMIT = 200;

const yoga = createYoga({
  schema: createSchema({
    typeDefs: "type Query { echo(text: String!): String! }",
    resolvers: { Query: { echo: (_r, a) => a.text } },
  }),
  logging: false,
  maxRequestBodySize: false,
  plugins: [bodyLimit(LIMIT)],
});

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => void yoga(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

/** POSTs `body` over HTTP/1.1, with a Content-Length header (or `length` in its place), or chunked when `length` is null. */
function post(body: string, length?: string | null): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (length === undefined) headers["content-length"] = String(Buffer.byteLength(body));
    else if (length !== null) headers["content-length"] = length;
    const req = request({ host: "127.0.0.1", port, path: "/graphql", method: "POST", headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    if (length === null) {
      // Two writes without a length: node sends the body chunked.
      req.write(body.slice(0, 10));
      req.end(body.slice(10));
    } else req.end(body);
  });
}

const query = (text: string) =>
  JSON.stringify({ query: "query($t: String!) { echo(text: $t) }", variables: { t: text } });

describe("bodyLimit", () => {
  it("Given a body within the limit with its Content-Length, When posted, Then the query runs", async () => {
    const r = await post(query("hello"));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ data: { echo: "hello" } });
  });

  it("Given a chunked body within the limit, When posted, Then the query runs", async () => {
    const r = await post(query("hello"), null);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toEqual({ data: { echo: "hello" } });
  });

  it("Given a Content-Length over the limit, When posted, Then it is refused with 413", async () => {
    const r = await post(query("x".repeat(LIMIT)));
    expect(r.status).toBe(413);
    expect(r.text).toContain("REQUEST_ENTITY_TOO_LARGE");
  });

  it("Given a chunked body over the limit, When posted, Then it is refused with 413", async () => {
    const r = await post(query("x".repeat(LIMIT)), null);
    expect(r.status).toBe(413);
    expect(r.text).toContain("REQUEST_ENTITY_TOO_LARGE");
  });

  it.each([["-1"], ["1e3"], ["12abc"]])(
    "Given the malformed Content-Length %s, When posted, Then it is refused with 400",
    async (length) => {
      const r = await yoga.fetch("http://localhost/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": length },
        body: query("hi"),
      });
      expect(r.status).toBe(400);
      expect(await r.text()).toContain("Content-Length");
    },
  );
});
