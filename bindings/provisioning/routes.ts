/**
 * The provisioning endpoints, served beside GraphQL on the hub's HTTP port:
 *   POST /provisioning/requests          a device asks for credentials (JSON body, see `provisioningRequest`)
 *   GET  /provisioning/requests/{device} its status; header `Provisioning-Nonce: <nonce of the request>`
 *   GET  /.well-known/wot                the hub's Thing Description (a Thing Directory)
 * Each client address gets a token bucket; wrong out-of-band secrets are recorded in the log by the flow.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../core/log.ts";
import type { ProvisioningFlow } from "../../core/provisioning-flow.ts";
import { type HttpRoute, readBody } from "../shared/http.ts";
import {
  createProvisioningHandler,
  DEFAULT_MAX_BODY,
  type ProvisioningHandler,
  type ProvisioningOutcome,
} from "./handler.ts";
import { clientAddress, sendJson, sendProblem } from "./http.ts";
import { directoryTd, type HubEndpoints } from "./wot.ts";

export { DEFAULT_MAX_BODY };

export type ProvisioningRoutesOptions = {
  flow: Pick<ProvisioningFlow, "request" | "poll">;
  logger: Logger;
  /**
   * The handler shared with other protocols (plain CoAP), so one rate limit per address covers both; made here
   * from `flow`, `ratePerMinute` and `maxBodyBytes` when not given.
   */
  handler?: ProvisioningHandler;
  /** Requests per minute per client address (burst the same). */
  ratePerMinute?: number;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Where the hub is reachable, for the Thing Description (given the request, for its Host). */
  endpoints: (req: IncomingMessage) => HubEndpoints;
};

const REQUESTS = "/provisioning/requests";

/** HTTP status per outcome of the shared handler. */
const STATUS: Record<ProvisioningOutcome, number> = { approved: 201, pending: 202, collected: 201, status: 200 };

export function provisioningRoutes(o: ProvisioningRoutesOptions): HttpRoute[] {
  const log = o.logger;
  const handler =
    o.handler ??
    createProvisioningHandler({
      flow: o.flow,
      logger: log,
      ...(o.ratePerMinute !== undefined ? { ratePerMinute: o.ratePerMinute } : {}),
      ...(o.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes } : {}),
    });

  async function submit(req: IncomingMessage, res: ServerResponse) {
    try {
      const { outcome, answer } = await handler.submit(clientAddress(req), () => readBody(req, handler.maxBodyBytes));
      sendJson(res, STATUS[outcome], answer);
    } catch (err) {
      sendProblem(res, err, log);
    }
  }

  async function poll(req: IncomingMessage, res: ServerResponse, encoded: string) {
    try {
      let device: string;
      try {
        device = decodeURIComponent(encoded);
      } catch {
        device = "";
      }
      const nonce = req.headers["provisioning-nonce"];
      const { outcome, answer } = await handler.poll(
        clientAddress(req),
        device,
        typeof nonce === "string" ? nonce : "",
      );
      sendJson(res, STATUS[outcome], answer);
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
