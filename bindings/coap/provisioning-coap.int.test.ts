/**
 * Provisioning over plain CoAP with libcoap's coap-client (a peer we did not write) as the device, a real
 * nats-server and the real device registry: the same shared handler as the HTTP endpoints.
 */
import "reflect-metadata";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeviceRegistry } from "../../core/device-registry.ts";
import type { JetStreamEventLog } from "../../core/jetstream-event-log.ts";
import { deviceFilter } from "../../core/provisioning.ts";
import { createProvisioningHandler } from "../provisioning/handler.ts";
import { eventsIn } from "../shared/testing.ts";
import type { CoapWorker } from "./coap-worker.ts";
import { type CoapTestHub, startCoapTestHub } from "./testing/coap-hub.ts";

const run = promisify(execFile);
const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
let hub: CoapTestHub;
let log: JetStreamEventLog;
let dataDir: string;
let registry: DeviceRegistry;
let worker: CoapWorker;
/** A second endpoint whose handler allows 2 requests a minute per address, for the rate limit. */
let strict: CoapWorker;

beforeAll(async () => {
  hub = await startCoapTestHub("coap-provisioning");
  ({ log, dataDir, registry } = hub);
  const start = (ratePerMinute: number) =>
    hub.worker({
      authenticator: registry,
      provisioning: createProvisioningHandler({ flow: registry.flow, logger: hub.logger, ratePerMinute }),
    });
  worker = await start(1000);
  strict = await start(2);
}, 60_000);

afterAll(async () => {
  await hub?.stop();
});

const url = (path: string, port = worker.port) => `coap://127.0.0.1:${port}/${path}`;
const nonce = () => `nonce-${crypto.randomUUID()}`;

/** Runs coap-client-notls; stdout and stderr together (libcoap prints error codes on stderr). */
async function coap(args: string[]): Promise<string> {
  const { stdout, stderr } = await run("coap-client-notls", ["-B", "10", ...args], { timeout: 30_000 });
  return `${stdout}${stderr}`;
}

/** POSTs a JSON body from a file (block-wise with `block` bytes per block when given). */
async function submit(body: unknown, o: { block?: number; port?: number; verbose?: boolean } = {}): Promise<string> {
  const file = join(dataDir, `body-${crypto.randomUUID()}.json`);
  await writeFile(file, typeof body === "string" ? body : JSON.stringify(body));
  const blocks = o.block ? ["-b", String(o.block)] : [];
  // At verbosity 7 libcoap prints each message it receives with its options.
  const verbose = o.verbose ? ["-v", "7"] : [];
  return coap(["-m", "post", "-t", "json", ...blocks, ...verbose, "-f", file, url("provisioning/requests", o.port)]);
}

const pollOf = (device: string, n: string) =>
  coap(["-m", "get", url(`provisioning/requests/${device}?nonce=${encodeURIComponent(n)}`)]);

/** The JSON answer in coap-client's output. */
const answerIn = (out: string) => JSON.parse(out.slice(out.indexOf("{"), out.lastIndexOf("}") + 1));

async function csrFor(device: string, padding = 0): Promise<string> {
  const keys = (await crypto.subtle.generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${device}`,
    keys,
    signingAlgorithm: ALG,
  });
  return `${csr.toString("pem")}${"\n".repeat(padding)}`;
}

const decisionsOf = async (device: string) =>
  (await eventsIn(log, "PROVISIONING", deviceFilter(device))).map((e) => e.subject.split(".").pop());

describe("provisioning over plain CoAP (libcoap coap-client)", () => {
  it("Given a device pre-approved with an out-of-band secret, When it POSTs its request with that secret and a CSR in blocks, Then it is approved at once and its token authenticates", async () => {
    const device = "coap-prov-1";
    await registry.flow.preapprove({ device, secret: "label-secret-1" }, "admin");
    const n = nonce();
    const out = await submit({ device, nonce: n, secret: "label-secret-1", csr: await csrFor(device) }, { block: 64 });
    const answer = answerIn(out);
    expect(answer).toMatchObject({ device, status: "active" });
    expect(answer.certificate).toContain("BEGIN CERTIFICATE");
    expect(await registry.authenticate({ token: answer.token })).toMatchObject({ device });
    // The poll says active; the token was handed out once, in the answer above.
    const polled = answerIn(await pollOf(device, n));
    expect(polled).toMatchObject({ device, status: "active" });
    expect(polled.token).toBeUndefined();
  });

  it("Given a request without a pre-approval, When an administrator approves it, Then the device's poll returns a token that authenticates", async () => {
    const device = "coap-prov-2";
    const n = nonce();
    expect(answerIn(await submit({ device, nonce: n }))).toEqual({ device, status: "pending" });
    expect(answerIn(await pollOf(device, n))).toMatchObject({ device, status: "pending" });
    await registry.flow.decide("approve", device, "admin");
    const polled = answerIn(await pollOf(device, n));
    expect(polled).toMatchObject({ device, status: "active" });
    expect(await registry.authenticate({ token: polled.token })).toMatchObject({ device });
  });

  it("Given a device pre-approved with a secret, When it requests with a wrong one, Then its request stays pending and is never approved", async () => {
    const device = "coap-prov-3";
    await registry.flow.preapprove({ device, secret: "label-secret-3" }, "admin");
    const n = nonce();
    expect(answerIn(await submit({ device, nonce: n, secret: "not-the-secret" }))).toEqual({
      device,
      status: "pending",
    });
    expect(await pollOf(device, n)).toContain('"status":"pending"');
    // A second wrong secret is refused outright and recorded.
    expect(await submit({ device, nonce: nonce(), secret: "still-wrong" })).toContain("4.03");
    expect(await decisionsOf(device)).toEqual(["preapproved", "requested", "refused"]);
    expect((await registry.flow.status(device)).status).toBe("pending");
  });

  it("When a poll carries a wrong nonce, Then it gets 4.04", async () => {
    const device = "coap-prov-4";
    await submit({ device, nonce: nonce() });
    expect(await pollOf(device, nonce())).toContain("4.04");
  });

  it.each([
    ["text that is not JSON", "{not json", "not valid JSON"],
    ["a request without a nonce", { device: "coap-prov-5" }, "nonce"],
    ["an unknown field", { device: "coap-prov-5", nonce: nonce(), extra: 1 }, "extra"],
    ["a CSR over 8192 characters", { device: "coap-prov-5", nonce: nonce(), csr: "x".repeat(9000) }, "csr"],
  ])(
    "When a device POSTs %s, Then it gets 4.00 naming the problem and nothing is recorded",
    async (_what, body, reason) => {
      const out = await submit(body, { block: 1024 });
      expect(out).toContain("4.00");
      expect(out).toContain(reason);
      expect(await decisionsOf("coap-prov-5")).toEqual([]);
    },
  );

  it("When a device POSTs a body with an oversized CSR in blocks, Then it gets 4.13 and nothing is recorded", async () => {
    const device = "coap-prov-6";
    const out = await submit({ device, nonce: nonce(), csr: await csrFor(device, 20_000) }, { block: 1024 });
    expect(out).toContain("4.13");
    expect(await decisionsOf(device)).toEqual([]);
  });

  it("Given an endpoint allowing 2 requests a minute per address, When a third comes, Then it gets 4.29 with Max-Age and is not recorded", async () => {
    const port = strict.port;
    expect(await submit({ device: "coap-prov-7", nonce: nonce() }, { port })).toContain('"status":"pending"');
    expect(await submit({ device: "coap-prov-8", nonce: nonce() }, { port })).toContain('"status":"pending"');
    const refused = await submit({ device: "coap-prov-9", nonce: nonce() }, { port, verbose: true });
    // The answer says how long to wait, in seconds, as HTTP's Retry-After does.
    expect(refused).toMatch(/c:4\.29 .*\[ Max-Age:[1-9]\d* \]/);
    expect(await decisionsOf("coap-prov-9")).toEqual([]);
  });
});
