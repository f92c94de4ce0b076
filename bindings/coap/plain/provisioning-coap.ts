/**
 * Provisioning over plain CoAP, for devices too small for HTTP. No device token (the device has none yet); the
 * shared handler (`bindings/provisioning/handler.ts`) does the work, exactly as for HTTP:
 *
 *   POST provisioning/requests                      JSON body (Content-Format 50 or none), block-wise when large
 *                                                   → 2.01 with the answer (approved at once, or pending)
 *   GET  provisioning/requests/{device}?nonce=<n>   the poll, proven by the request's nonce → 2.05 with the answer
 *
 * Errors go through `coapErrorOf` (4.00 with the reason, 4.03, 4.04, 4.09, 4.13, 4.29 with Max-Age, 5.03).
 * An answer longer than one block is sent block-wise; libcoap asks for each further block with a new token, so the
 * answer is kept per client address and path for a minute and further blocks are served from it: the request is
 * never submitted twice.
 */
import type { IncomingMessage, OutgoingMessage } from "coap";
import { ValidationError } from "../../../core/errors.ts";
import type { Logger } from "../../../core/log.ts";
import type { ProvisioningHandler, ProvisioningOutcome } from "../../provisioning/handler.ts";
import { retryAfterSeconds } from "../../shared/problem.ts";
import { coapErrorOf } from "../coap-errors.ts";
import { formatNumber, JSON_FORMAT } from "../coap-formats.ts";
import { optionStrings, reply } from "../lwm2m/lwm2m-server.ts";

export type ProvisioningCoapOptions = { handler: ProvisioningHandler; logger: Logger; answerTtlMs?: number };

/** CoAP response code per outcome of the shared handler. */
const CODE: Record<ProvisioningOutcome, string> = {
  approved: "2.01",
  pending: "2.01",
  collected: "2.05",
  status: "2.05",
};

type Answer = { code: string; payload: Buffer; until: number };
const MAX_KEPT = 1000;

/** The block number a request asks for (Block2 option); 0 when it asks for the first or sends none. */
function block2Number(req: IncomingMessage): number {
  const options = ((req as unknown as { options?: unknown[] }).options ?? []) as { name: unknown; value: unknown }[];
  const value = options.find((o) => o.name === "Block2")?.value;
  if (!Buffer.isBuffer(value) || value.length === 0 || value.length > 3) return 0;
  return value.readUIntBE(0, value.length) >> 4;
}

/** The handler of the two provisioning paths; returns false for any other path. */
export function provisioningCoap(o: ProvisioningCoapOptions): (req: IncomingMessage, res: OutgoingMessage) => boolean {
  const kept = new Map<string, Answer>();
  const ttl = o.answerTtlMs ?? 60_000;

  function keep(key: string, answer: Answer): void {
    const now = Date.now();
    for (const [k, a] of kept) if (a.until <= now || kept.size >= MAX_KEPT) kept.delete(k);
    kept.set(key, answer);
  }

  async function answer(req: IncomingMessage, path: readonly string[]) {
    const address = req.rsinfo.address;
    if (path.length === 2) {
      const format = formatNumber(req.headers["Content-Format"]);
      if (format !== undefined && format !== JSON_FORMAT) {
        throw new ValidationError("send the request as JSON (Content-Format 50)");
      }
      const payload = Buffer.isBuffer(req.payload) ? req.payload : Buffer.alloc(0);
      return o.handler.submit(address, () => payload);
    }
    const nonce = optionStrings(req, "Uri-Query")
      .find((q) => q.startsWith("nonce="))
      ?.slice("nonce=".length);
    return o.handler.poll(address, path[2] ?? "", nonce ?? "");
  }

  function replyError(res: OutgoingMessage, err: unknown): void {
    const e = coapErrorOf(err);
    if (e.code.startsWith("5.")) o.logger.warn("a CoAP provisioning request failed", { err });
    const wait = retryAfterSeconds(err);
    if (wait !== undefined) res.setOption("Max-Age", wait);
    reply(res, e.code, e.message);
  }

  function send(res: OutgoingMessage, a: Answer): void {
    res.setOption("Content-Format", JSON_FORMAT);
    res.code = a.code;
    res.end(a.payload);
  }

  return (req, res) => {
    const path = optionStrings(req, "Uri-Path");
    if (path[0] !== "provisioning" || path[1] !== "requests" || path.length > 3) return false;
    const method = String(req.method);
    const wanted = path.length === 2 ? "POST" : "GET";
    if (method !== wanted) {
      reply(res, "4.05", `use ${wanted} on this path`);
      return true;
    }
    const key = `${req.rsinfo.address}:${req.rsinfo.port} ${method} ${path.join("/")}`;
    if (block2Number(req) > 0) {
      const a = kept.get(key);
      if (a && a.until > Date.now()) send(res, a);
      else replyError(res, new ValidationError("no answer to continue; send the request again"));
      return true;
    }
    answer(req, path)
      .then(({ outcome, answer }) => {
        const a = { code: CODE[outcome], payload: Buffer.from(JSON.stringify(answer)), until: Date.now() + ttl };
        keep(key, a);
        send(res, a);
      })
      .catch((err: unknown) => replyError(res, err));
    return true;
  };
}
