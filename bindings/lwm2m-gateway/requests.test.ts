import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ResolvedExposure, resolveMapping } from "../../core/lwm2m-gateway-mapping.ts";
import { answer, type GatewayPorts, type ServerRequest } from "./requests.ts";
import { buildResourceTable } from "./resource-table.ts";

const exposures = resolveMapping({
  firstObjectId: 26241,
  exposures: [
    { thing: "lamp", kind: "property", name: "level", type: "integer", access: "readwrite" }, // /26241/0/2
    { thing: "lamp", kind: "property", name: "label" }, // /26241/1/1
    { thing: "lamp", kind: "action", name: "blink" }, // /26241/2/7
    { thing: "lamp", kind: "property", name: "secret", type: "string", access: "write" }, // /26241/3/1
    { thing: "lamp", kind: "property", name: "unset", type: "float" }, // /26241/4/3
  ],
});
const table = buildResourceTable(exposures, { lifetimeSeconds: 60, binding: "U" });
const values: Record<string, unknown> = { level: 42, label: "hall", secret: "x" };

/** Hub side as plain data: values from a table, requests collected in a list. */
function ports(requested: [ResolvedExposure, unknown][] = []): GatewayPorts {
  return {
    latest: async (e) => values[e.name],
    read: async (e) => values[e.name],
    request: async (e, input) => {
      requested.push([e, input]);
    },
    triggerUpdate: () => undefined,
    setAttributes: () => undefined,
  };
}

const text = (s: string) => new TextEncoder().encode(s);
const req = (r: Partial<ServerRequest>): ServerRequest => ({
  method: "GET",
  path: "/",
  query: [],
  payload: new Uint8Array(),
  ...r,
});

describe("answering the upstream server", () => {
  it.each<[string, Partial<ServerRequest>, string]>([
    ["read a readable value", { path: "/26241/0/2", accept: 0 }, "2.05"],
    ["read the gateway's lifetime", { path: "/1/0/1", accept: 0 }, "2.05"],
    ["read a whole instance as TLV", { path: "/26241/0" }, "2.05"],
    ["read a value that is not there yet", { path: "/26241/4/3", accept: 0 }, "4.04"],
    ["read a write-only value", { path: "/26241/3/1", accept: 0 }, "4.05"],
    ["read an executable resource", { path: "/26241/2/7" }, "4.05"],
    ["read an unexposed object", { path: "/9" }, "4.04"],
    ["read a path with letters", { path: "/a/b" }, "4.04"],
    ["read as a format nobody speaks", { path: "/26241/0/2", accept: 4242 }, "4.06"],
    ["read an instance as text", { path: "/26241/0", accept: 0 }, "4.06"],
    ["discover an instance", { path: "/26241/0", accept: 40 }, "2.05"],
    ["write an integer", { method: "PUT", path: "/26241/0/2", contentFormat: 0, payload: text("7") }, "2.04"],
    [
      "write text to an integer",
      { method: "PUT", path: "/26241/0/2", contentFormat: 0, payload: text("seven") },
      "4.00",
    ],
    ["write an unknown format", { method: "PUT", path: "/26241/0/2", contentFormat: 9999, payload: text("7") }, "4.15"],
    ["write a read-only value", { method: "PUT", path: "/26241/1/1", contentFormat: 0, payload: text("x") }, "4.05"],
    ["write an object", { method: "PUT", path: "/26241", contentFormat: 0, payload: text("x") }, "4.05"],
    ["execute an action", { method: "POST", path: "/26241/2/7", payload: text("5") }, "2.04"],
    ["execute with bad UTF-8", { method: "POST", path: "/26241/2/7", payload: new Uint8Array([0xff]) }, "4.00"],
    ["execute a property", { method: "POST", path: "/26241/0/2" }, "4.05"],
    ["trigger a registration update", { method: "POST", path: "/1/0/8" }, "2.04"],
    ["delete an instance", { method: "DELETE", path: "/26241/0" }, "4.05"],
    ["write attributes", { method: "PUT", path: "/26241/0/2", query: ["pmin=1", "pmax=5"] }, "2.04"],
    ["write attributes nobody knows", { method: "PUT", path: "/26241/0/2", query: ["colour=red"] }, "4.00"],
    ["write attributes on an unexposed path", { method: "PUT", path: "/26241/9", query: ["pmin=1"] }, "4.04"],
  ])("%s → %s", async (_, r, code) => {
    expect((await answer(req(r), table, ports())).code).toBe(code);
  });

  it("a write becomes one request with the typed value; an execute one with its arguments as text", async () => {
    const requested: [ResolvedExposure, unknown][] = [];
    await answer(
      req({ method: "PUT", path: "/26241/0/2", contentFormat: 0, payload: text("7") }),
      table,
      ports(requested),
    );
    await answer(req({ method: "POST", path: "/26241/2/7", payload: text("0='fast'") }), table, ports(requested));
    expect(requested.map(([e, input]) => [e.name, input])).toEqual([
      ["level", 7],
      ["blink", "0='fast'"],
    ]);
  });

  it("a refused write requests nothing", async () => {
    const requested: [ResolvedExposure, unknown][] = [];
    await answer(
      req({ method: "PUT", path: "/26241/1/1", contentFormat: 0, payload: text("x") }),
      table,
      ports(requested),
    );
    expect(requested).toEqual([]);
  });

  it("Given a read and a stored value that differ, When the server reads, Then the answer comes from the read port (which may ask the device)", async () => {
    const asked: string[] = [];
    const reading = {
      ...ports(),
      read: async (e: ResolvedExposure) => {
        asked.push(e.name);
        return e.name === "level" ? 99 : values[e.name];
      },
    };
    const one = await answer(req({ path: "/26241/0/2", accept: 0 }), table, reading);
    expect(new TextDecoder().decode(one.payload)).toBe("99");
    const all = await answer(req({ path: "/26241", accept: 11543 }), table, reading);
    expect(all.code).toBe("2.05");
    // Every readable resource of the object goes through the read port; write-only and executable ones do not.
    expect(asked.sort()).toEqual(["label", "level", "level", "unset"]);
  });

  it("a hub failure while storing is 5.00 with no detail", async () => {
    const failing = { ...ports(), request: () => Promise.reject(new Error("nats down at 10.0.0.7")) };
    const r = await answer(
      req({ method: "PUT", path: "/26241/0/2", contentFormat: 0, payload: text("7") }),
      table,
      failing,
    );
    expect(r).toEqual({ code: "5.00" });
  });

  it("any request at all gets a CoAP code and never throws", async () => {
    const codes = /^(2\.0[1-5]|4\.0[0-6]|4\.15|5\.00)$/;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "PUT", "POST", "DELETE", "FETCH", "PATCH"),
        fc.oneof(fc.constantFrom("/26241/0/2", "/26241/0", "/26241", "/1/0/8", "/3/0", "/"), fc.string()),
        fc.option(fc.constantFrom(0, 40, 42, 110, 112, 1542, 11542, 11543, 60, 65535), { nil: undefined }),
        fc.option(fc.constantFrom(0, 40, 42, 110, 112, 11542, 11543, 7), { nil: undefined }),
        fc.uint8Array({ maxLength: 64 }),
        fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
        async (method, path, contentFormat, accept, payload, query) => {
          const r = await answer({ method, path, contentFormat, accept, payload, query }, table, ports());
          expect(r.code).toMatch(codes);
        },
      ),
      { numRuns: 500 },
    );
  });
});
