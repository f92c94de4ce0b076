/**
 * The device-facing HTTP endpoint, served beside GraphQL on the same port. Devices authenticate with
 * `Authorization: Bearer <device token>`. Thing ids in paths are `encodeURIComponent` of the raw id.
 *
 *   PUT  /things/{thing}/td                 TD JSON → 204 once stored
 *   POST /things/{thing}/event/{name}       JSON value → 204 once stored
 *   PUT  /things/{thing}/property/{name}    JSON value → 204 once stored
 *   GET  /devices/{device}/actions?wait=s   200 + waiting actions as soon as any exist, else 204 after `wait`;
 *        &sleep=s                         the device sleeps that long after the poll (presence: asleep until)
 *   POST /actions/{actionId}/status         {status:"completed", output?} | {status:"failed", error} → 204
 *
 * Errors are JSON `{ "error": { code, message, issues? } }` (see bindings/shared/problem.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { DeviceAuthenticator } from "../../core/devices.ts";
import { ForbiddenError, UnauthenticatedError, ValidationError } from "../../core/errors.ts";
import { issuesOf } from "../../core/event-log.ts";
import type { Logger } from "../../core/log.ts";
import { json } from "../../core/messages.ts";
import type { ActionDispatcher, PendingAction } from "../actions/dispatcher.ts";
import { type DeviceFact, parseJsonPayload } from "../shared/device-facts.ts";
import type { FactPublisher } from "../shared/fact-publisher.ts";
import { type HttpRoute, readBody } from "../shared/http.ts";
import type { PresenceReporter } from "../shared/presence.ts";
import { sendProblem } from "../shared/problem.ts";

export type { HttpRoute };

export type DeviceRoutesOptions = {
  authenticator: DeviceAuthenticator;
  facts: FactPublisher;
  dispatcher: ActionDispatcher;
  presence: PresenceReporter;
  logger: Logger;
  maxBodyBytes: number;
  /** Longest long-poll a device may ask for, in seconds. Default 300. */
  maxWaitSeconds?: number;
};

const actionStatus = z.discriminatedUnion("status", [
  z.object({ status: z.literal("completed"), output: json.optional() }),
  z.object({ status: z.literal("failed"), error: z.string().min(1).max(2000) }),
]);

type Route =
  | { op: "fact"; method: "PUT" | "POST"; fact: DeviceFact }
  | { op: "poll"; device: string }
  | { op: "status"; actionId: string };

/** The route a path names, or undefined when it is not a device path. Throws ValidationError for bad ids. */
export function matchDevicePath(method: string, pathname: string): Route | undefined {
  const p = pathname.split("/").slice(1);
  const id = (s: string | undefined) => {
    let v: string;
    try {
      v = decodeURIComponent(s ?? "");
    } catch {
      throw new ValidationError("the path holds a malformed percent-encoding");
    }
    if (v.length === 0 || v.length > 256) throw new ValidationError("ids in the path must be 1 to 256 characters");
    return v;
  };
  if (p[0] === "things" && p.length === 3 && p[2] === "td") {
    return { op: "fact", method: "PUT", fact: { kind: "td", thing: id(p[1]) } };
  }
  if (p[0] === "things" && p.length === 4 && (p[2] === "event" || p[2] === "property")) {
    const kind = p[2];
    return { op: "fact", method: kind === "event" ? "POST" : "PUT", fact: { kind, thing: id(p[1]), name: id(p[3]) } };
  }
  if (p[0] === "devices" && p.length === 3 && p[2] === "actions" && method === "GET") {
    return { op: "poll", device: id(p[1]) };
  }
  if (p[0] === "actions" && p.length === 3 && p[2] === "status" && method === "POST") {
    return { op: "status", actionId: id(p[1]) };
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (res.headersSent) return;
  if (body === undefined) res.writeHead(status).end();
  else res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function sendError(res: ServerResponse, err: unknown, logger: Logger): void {
  const p = sendProblem(
    res,
    err,
    (p): Record<string, string> => (p.status === 401 ? { "www-authenticate": "Bearer" } : {}),
  );
  if (p.status >= 500) logger.warn("device request failed", { err });
}

async function deviceOf(req: IncomingMessage, authenticator: DeviceAuthenticator): Promise<string> {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "");
  if (!m?.[1]) throw new UnauthenticatedError("send the device token as `Authorization: Bearer <token>`");
  return (await authenticator.authenticate({ token: m[1] })).device;
}

/** The longest sleep a device may announce after a poll: 30 days. */
const MAX_SLEEP_S = 30 * 24 * 3600;

export function deviceRoutes(o: DeviceRoutesOptions): HttpRoute {
  const maxWait = o.maxWaitSeconds ?? 300;
  const waitParam = z.coerce.number().int().min(0).max(maxWait);
  const sleepParam = z.coerce.number().int().min(1).max(MAX_SLEEP_S).optional();

  async function handle(route: Route, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (route.op === "fact" && req.method !== route.method) {
      res.setHeader("allow", route.method);
      send(res, 405, { error: { code: "VALIDATION", message: `use ${route.method} on this path` } });
      return;
    }
    const device = await deviceOf(req, o.authenticator);
    if (route.op === "fact") {
      const data = parseJsonPayload(await readBody(req, o.maxBodyBytes));
      await o.facts.publish(device, route.fact, data);
      send(res, 204);
    } else if (route.op === "status") {
      const parsed = actionStatus.safeParse(parseJsonPayload(await readBody(req, o.maxBodyBytes)));
      if (!parsed.success) throw new ValidationError("the action status is invalid", issuesOf(parsed.error));
      await o.dispatcher.report(device, { actionId: route.actionId, ...parsed.data }, "http");
      send(res, 204);
    } else {
      if (route.device !== device) throw new ForbiddenError("a device may only poll for its own actions");
      const wait = waitParam.safeParse(url.searchParams.get("wait") ?? "0");
      if (!wait.success) throw new ValidationError(`wait must be whole seconds from 0 to ${maxWait}`);
      const sleep = sleepParam.safeParse(url.searchParams.get("sleep") ?? undefined);
      if (!sleep.success) throw new ValidationError(`sleep must be whole seconds from 1 to ${MAX_SLEEP_S}`);
      await longPoll(device, wait.data, req, res);
      if (sleep.data !== undefined) {
        void o.presence.report(device, "asleep", new Date(Date.now() + sleep.data * 1000));
      }
    }
  }

  /** Keeps the device reachable for `wait` seconds; the dispatcher answers the poll with what it delivers. */
  function longPoll(device: string, wait: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
    void o.presence.report(device, "connected", new Date(Date.now() + wait * 1000));
    return new Promise<void>((resolve) => {
      let answered = false;
      const finish = () => {
        clearTimeout(timer);
        detach();
        resolve();
      };
      const detach = o.dispatcher.attach(device, {
        via: "http",
        deliver: (actions: readonly PendingAction[]) => {
          if (answered || res.destroyed) return Promise.resolve(0);
          answered = true;
          return new Promise<number>((done) => {
            res.once("finish", () => done(actions.length));
            res.once("close", () => done(res.writableFinished ? actions.length : 0));
            send(res, 200, actions);
          }).finally(finish);
        },
      });
      const timer = setTimeout(() => {
        if (answered) return;
        answered = true;
        send(res, 204);
        finish();
      }, wait * 1000);
      req.once("close", () => {
        if (!answered) {
          answered = true;
          finish();
        }
      });
    });
  }

  return (req, res) => {
    const url = new URL(req.url ?? "/", "http://device.invalid");
    let route: Route | undefined;
    try {
      route = matchDevicePath(req.method ?? "GET", url.pathname);
    } catch (err) {
      sendError(res, err, o.logger);
      return true;
    }
    if (!route) return false;
    handle(route, req, res, url).catch((err: unknown) => sendError(res, err, o.logger));
    return true;
  };
}
