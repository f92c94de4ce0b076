/**
 * The provisioning request and poll, independent of the protocol that carried them: HTTP (`routes.ts`) and plain
 * CoAP (`bindings/coap/plain/provisioning-coap.ts`) both call one `ProvisioningHandler`, so both get the same
 * per-address rate limit, body limit, JSON parsing, logging of refused secrets and answers. The handler returns an
 * outcome and the answer, or throws a Spokes error; each protocol maps those in its own one place.
 */
import { ForbiddenError, RateLimitedError, ValidationError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { ProvisioningAnswer, ProvisioningFlow } from "../../core/provisioning-flow.ts";
import { TooLargeError } from "../shared/problem.ts";
import { createRateLimiter } from "./rate-limit.ts";

/** Largest request body accepted, in bytes (a CSR is at most 8192 characters; this leaves room for the rest). */
export const DEFAULT_MAX_BODY = 16 * 1024;

/**
 * What happened, for the protocol to pick its status: `approved` (a request approved at once, credentials in the
 * answer), `pending` (a request waiting for an administrator), `collected` (a poll that returns credentials, the
 * one time), `status` (any other poll).
 */
export type ProvisioningOutcome = "approved" | "pending" | "collected" | "status";

export type ProvisioningResult = { outcome: ProvisioningOutcome; answer: ProvisioningAnswer };

export type ProvisioningHandler = {
  /**
   * A device's request. `read` gives the body once the rate limit let it through (HTTP reads it from the socket
   * then; CoAP has it already); bodies over the limit are TooLargeError.
   */
  submit(address: string, read: () => Uint8Array | Promise<Uint8Array>): Promise<ProvisioningResult>;
  /** A device's poll of its request, proven by the request's nonce ("" when the device sent none). */
  poll(address: string, device: string, nonce: string): Promise<ProvisioningResult>;
  /** Largest body `submit` accepts, for protocols that can refuse earlier (HTTP reads with it). */
  readonly maxBodyBytes: number;
};

export type ProvisioningHandlerOptions = {
  flow: Pick<ProvisioningFlow, "request" | "poll">;
  logger: Logger;
  /** Requests per minute per client address, polls included (burst the same). */
  ratePerMinute?: number;
  maxBodyBytes?: number;
};

/** Parses a JSON body; ValidationError naming the problem otherwise. */
export function parseJson(bytes: Uint8Array): unknown {
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === "") throw new ValidationError("the body is empty; send a JSON object");
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError("the body is not valid JSON");
  }
}

export function createProvisioningHandler(o: ProvisioningHandlerOptions): ProvisioningHandler {
  const limiter = createRateLimiter(o.ratePerMinute ?? 30);
  const maxBodyBytes = o.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const log = o.logger;

  return {
    maxBodyBytes,
    async submit(address, read) {
      let device: unknown;
      try {
        limiter.take(address);
        const bytes = await read();
        if (bytes.length > maxBodyBytes) {
          throw new TooLargeError(`the body is ${bytes.length} bytes; the limit is ${maxBodyBytes}`);
        }
        const body = parseJson(bytes);
        device = (body as { device?: unknown } | null)?.device;
        const answer = await o.flow.request(body);
        log.info("provisioning request", { device, status: answer.status, address });
        return { outcome: answer.token ? "approved" : answer.status === "pending" ? "pending" : "status", answer };
      } catch (err) {
        if (err instanceof ForbiddenError || err instanceof RateLimitedError) {
          // Wrong secrets are recorded in the log by the flow; this line says from where they came.
          log.warn("provisioning request refused", { device: String(device).slice(0, 256), address, why: err.message });
        }
        throw err;
      }
    },
    async poll(address, device, nonce) {
      try {
        limiter.take(address);
      } catch (err) {
        log.warn("provisioning poll refused", { device: device.slice(0, 256), address, why: (err as Error).message });
        throw err;
      }
      const answer = await o.flow.poll({ device, nonce });
      return { outcome: answer.token ? "collected" : "status", answer };
    },
  };
}
