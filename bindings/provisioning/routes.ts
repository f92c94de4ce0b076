/**
 * The provisioning endpoints, served beside GraphQL on the hub's HTTP port:
 *   POST /provisioning/requests          a device asks for credentials (JSON body, see `provisioningRequest`)
 *   GET  /provisioning/requests/{device} its status; header `Provisioning-Nonce: <nonce of the request>`
 *   GET  /.well-known/wot                the hub's Thing Description (a Thing Directory)
 * Each client address gets a token bucket; wrong out-of-band secrets are recorded in the log by the flow.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ForbiddenError, RateLimitedError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { ProvisioningAnswer, ProvisioningFlow } from "../../core/provisioning-flow.ts";
import { type HttpRoute, readBody } from "../shared/http.ts";
import { clientAddress, parseJson, sendJson, sendProblem } from "./http.ts";
import { createRateLimiter } from "./rate-limit.ts";
import { directoryTd, type HubEndpoints } from "./wot.ts";

export type ProvisioningRoutesOptions = {
  flow: Pick<ProvisioningFlow, "request" | "poll">;
  logger: Logger;
  /** Requests per minute per client address (burst the same). */
  ratePerMinute?: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Where the hub is reachable, for the Thing Description (given the request, for its Host). */
  endpoints: (req: IncomingMessage) => HubEndpoints;
};

const REQUESTS = "/provisioning/requests";
export const DEFAULT_MAX_BODY = 16 * 1024;

function statusOf(answer: ProvisioningAnswer): number {
  if (answer.token) return 201;
  return answer.status === "pending" ? 202 : 200;
}

export function provisioningRoutes(o: ProvisioningRoutesOptions): HttpRoute[] {
  const limiter = createRateLimiter(o.ratePerMinute ?? 30);
  const log = o.logger;

  async function submit(req: IncomingMessage, res: ServerResponse) {
    const address = clientAddress(req);
    let device: unknown;
    try {
      limiter.take(address);
      const body = parseJson(await readBody(req, o.maxBodyBytes ?? DEFAULT_MAX_BODY));
      device = (body as { device?: unknown } | null)?.device;
      const answer = await o.flow.request(body);
      log.info("provisioning request", { device, status: answer.status, address });
      sendJson(res, statusOf(answer), answer);
    } catch (err) {
      if (err instanceof ForbiddenError || err instanceof RateLimitedError) {
        // Wrong secrets are recorded in the log by the flow; this line says from where they came.
        log.warn("provisioning request refused", { device: String(device).slice(0, 256), address, why: err.message });
      }
      sendProblem(res, err, log);
    }
  }

  async function poll(req: IncomingMessage, res: ServerResponse, encoded: string) {
    try {
      limiter.take(clientAddress(req));
      let device: string;
      try {
        device = decodeURIComponent(encoded);
      } catch {
        device = "";
      }
      const nonce = req.headers["provisioning-nonce"];
      const answer = await o.flow.poll({ device, nonce: typeof nonce === "string" ? nonce : "" });
      sendJson(res, answer.token ? 201 : 200, answer);
    } catch (err) {
      sendProblem(res, err, log);
    }
  }

  const route: HttpRoute = (req, res) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    if (path === "/.well-known/wot") {
      if (req.method !== "GET" && req.method !== "HEAD") return methodNotAllowed(res, "GET");
      // Public and credential-free, so discovery tools in any browser origin may read it.
      sendJson(res, 200, directoryTd(o.endpoints(req)), {
        "content-type": "application/td+json",
        "access-control-allow-origin": "*",
      });
      return true;
    }
    if (path === REQUESTS) {
      if (req.method !== "POST") return methodNotAllowed(res, "POST");
      void submit(req, res);
      return true;
    }
    if (path.startsWith(`${REQUESTS}/`)) {
      const encoded = path.slice(REQUESTS.length + 1);
      if (encoded === "" || encoded.includes("/")) return false;
      if (req.method !== "GET") return methodNotAllowed(res, "GET");
      void poll(req, res, encoded);
      return true;
    }
    return false;
  };
  return [route];
}

function methodNotAllowed(res: ServerResponse, allow: string): true {
  res.writeHead(405, { allow, "content-type": "application/json" });
  res.end(JSON.stringify({ error: { code: "VALIDATION", message: `use ${allow}` } }));
  return true;
}
