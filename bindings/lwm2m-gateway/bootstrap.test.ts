import { describe, expect, it } from "vitest";
import { encode } from "../coap/codec/index.ts";
import { BootstrapSession } from "./bootstrap.ts";
import type { ServerRequest } from "./requests.ts";

const req = (r: Partial<ServerRequest>): ServerRequest => ({
  method: "PUT",
  path: "/",
  query: [],
  payload: new Uint8Array(),
  ...r,
});

const security = (id: number, uri: string, bootstrap: boolean, ssid: number) =>
  encode(
    11542,
    {
      kind: "object-instance",
      id,
      resources: [
        { kind: "single-resource", id: 0, value: { type: "string", value: uri } },
        { kind: "single-resource", id: 1, value: { type: "boolean", value: bootstrap } },
        { kind: "single-resource", id: 2, value: { type: "integer", value: 3n } },
        { kind: "single-resource", id: 10, value: { type: "integer", value: BigInt(ssid) } },
      ],
    },
    `/0/${id}`,
  );

const server = encode(
  11542,
  {
    kind: "object-instance",
    id: 0,
    resources: [
      { kind: "single-resource", id: 0, value: { type: "integer", value: 123n } },
      { kind: "single-resource", id: 1, value: { type: "integer", value: 45n } },
      { kind: "single-resource", id: 7, value: { type: "string", value: "U" } },
    ],
  },
  "/1/0",
);

describe("a bootstrap session", () => {
  it("Given Delete, Security and Server writes, When Finish comes, Then it names the server and its lifetime", async () => {
    const s = new BootstrapSession();
    expect(s.handle(req({ method: "DELETE", path: "/" })).code).toBe("2.02");
    expect(
      s.handle(req({ path: "/0/0", contentFormat: 11542, payload: security(0, "coap://bs:5683", true, 0) })).code,
    ).toBe("2.04");
    expect(
      s.handle(req({ path: "/0/1", contentFormat: 11542, payload: security(1, "coap://dm:5683", false, 123) })).code,
    ).toBe("2.04");
    expect(s.handle(req({ path: "/1/0", contentFormat: 11542, payload: server })).code).toBe("2.04");
    expect(s.handle(req({ method: "POST", path: "/bs" })).code).toBe("2.04");
    await expect(s.finished).resolves.toEqual({ serverUrl: "coap://dm:5683", shortServerId: 123, lifetimeSeconds: 45 });
  });

  it.each<[string, Partial<ServerRequest>, string]>([
    ["a truncated TLV", { path: "/0/1", contentFormat: 11542, payload: new Uint8Array([0xc8, 0x00]) }, "4.00"],
    ["a write without a content format", { path: "/0/1", payload: new Uint8Array([1]) }, "4.00"],
    ["a write to the Device object", { path: "/3/0", contentFormat: 11542, payload: new Uint8Array() }, "4.05"],
    ["a read", { method: "GET", path: "/0/0" }, "4.05"],
    ["a path that is no LwM2M path", { path: "/x/y" }, "4.04"],
    ["a delete of a resource", { method: "DELETE", path: "/0/0/1" }, "4.00"],
  ])("%s is answered %s", (_, r, code) => {
    expect(new BootstrapSession().handle(req(r)).code).toBe(code);
  });

  it("Given no LwM2M server among the writes, When Finish comes, Then it is refused and the session fails", async () => {
    const s = new BootstrapSession();
    s.handle(req({ path: "/0/0", contentFormat: 11542, payload: security(0, "coap://bs:5683", true, 0) }));
    expect(s.handle(req({ method: "POST", path: "/bs" })).code).toBe("4.06");
    await expect(s.finished).rejects.toThrow(/no coap:\/\/ LwM2M server/);
  });
});
