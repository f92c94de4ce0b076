/**
 * Plain-CoAP devices: the same paths as the HTTP device endpoint (see device-paths.ts), authenticated with the
 * device token in option 65000 (experimental range, elective; a token is longer than a Uri-Query may be). Facts are answered
 * once JetStream stored them; an observed `devices/{device}/actions` receives every action delivered to the device.
 */
import type { IncomingMessage, OutgoingMessage } from "coap";
import type { DeviceAuthenticator } from "../../../core/devices.ts";
import { ForbiddenError, NotFoundError, UnauthenticatedError, ValidationError } from "../../../core/errors.ts";
import type { EventLog } from "../../../core/event-log.ts";
import { issuesOf } from "../../../core/event-log.ts";
import type { Logger } from "../../../core/log.ts";
import { subjects } from "../../../core/subjects.ts";
import type { ActionDispatcher, PendingAction } from "../../actions/dispatcher.ts";
import { parseJsonPayload } from "../../shared/device-facts.ts";
import type { ThingOwnership } from "../../shared/ownership.ts";
import type { PresenceReporter } from "../../shared/presence.ts";
import { TooLargeError } from "../../shared/problem.ts";
import { coapErrorOf } from "../coap-errors.ts";
import { JSON_FORMAT } from "../coap-formats.ts";
import { type FactSink, optionStrings, reply } from "../lwm2m/lwm2m-server.ts";
import { actionStatus, matchPlainPath, methodOf, type PlainRoute } from "./device-paths.ts";

/** The CoAP option number that carries the device token (experimental range, elective). */
export const TOKEN_OPTION = 65000;

export type PlainCoapOptions = {
  log: EventLog;
  authenticator: DeviceAuthenticator;
  facts: FactSink;
  ownership: ThingOwnership;
  dispatcher: ActionDispatcher;
  presence: PresenceReporter;
  logger: Logger;
  maxPayloadBytes: number;
};

const decoder = new TextDecoder();

function tokenOf(req: IncomingMessage): string | undefined {
  const options = ((req as unknown as { options?: unknown[] }).options ?? []) as { name: unknown; value: unknown }[];
  const opt = options.find((o) => o.name === String(TOKEN_OPTION) || o.name === TOKEN_OPTION);
  return opt && Buffer.isBuffer(opt.value) ? decoder.decode(opt.value) : undefined;
}

function payloadOf(req: IncomingMessage, max: number): Buffer {
  const payload = Buffer.isBuffer(req.payload) ? req.payload : Buffer.alloc(0);
  if (payload.length > max) throw new TooLargeError(`the payload is ${payload.length} bytes; the limit is ${max}`);
  return payload;
}

/** The one place plain-CoAP errors become responses (code and a short diagnostic text). */
function replyError(res: OutgoingMessage, err: unknown, logger: Logger): void {
  const e = coapErrorOf(err);
  if (e.code.startsWith("5.")) logger.warn("a CoAP device request failed", { err });
  reply(res, e.code, e.message);
}

export function plainCoap(o: PlainCoapOptions): (req: IncomingMessage, res: OutgoingMessage) => boolean {
  /** Verified tokens for a minute, so a busy device does not pay a signature check per message. */
  const verified = new Map<string, { device: string; until: number }>();

  async function deviceOf(req: IncomingMessage): Promise<string> {
    const token = tokenOf(req);
    if (!token) throw new UnauthenticatedError("send the device token in CoAP option 65000");
    const hit = verified.get(token);
    const now = Date.now();
    if (hit && hit.until > now && o.authenticator.isActive(hit.device)) return hit.device;
    const { device } = await o.authenticator.authenticate({ token });
    if (verified.size > 10_000) verified.clear();
    verified.set(token, { device, until: now + 60_000 });
    return device;
  }

  async function handle(route: PlainRoute, req: IncomingMessage, res: OutgoingMessage): Promise<void> {
    const device = await deviceOf(req);
    switch (route.op) {
      case "fact": {
        const data = parseJsonPayload(payloadOf(req, o.maxPayloadBytes));
        await o.facts.publish(device, route.fact, data);
        reply(res, "2.04");
        return;
      }
      case "status": {
        const parsed = actionStatus.safeParse(parseJsonPayload(payloadOf(req, o.maxPayloadBytes)));
        if (!parsed.success) throw new ValidationError("the action status is invalid", issuesOf(parsed.error));
        await o.dispatcher.report(device, { actionId: route.actionId, ...parsed.data }, "coap");
        reply(res, "2.04");
        return;
      }
      case "read-td": {
        if (o.ownership.ownerOf(route.thing) !== device) throw new NotFoundError("no such Thing of this device");
        let td: unknown;
        for await (const e of o.log.read({ stream: "THINGS", filter: subjects.thingTd(route.thing) })) td = e.data;
        if (td === undefined) throw new NotFoundError("no such Thing of this device");
        res.setOption("Content-Format", JSON_FORMAT);
        res.code = "2.05";
        res.end(Buffer.from(JSON.stringify(td)));
        return;
      }
      case "actions": {
        if (route.device !== device) throw new ForbiddenError("a device may only read its own actions");
        if (req.headers.Observe === 0) observeActions(device, res);
        else {
          res.setOption("Content-Format", JSON_FORMAT);
          res.code = "2.05";
          res.end(Buffer.from(JSON.stringify(o.dispatcher.pendingFor(device))));
        }
        return;
      }
    }
  }

  /** While the device observes its actions, it is reachable: each delivery is one notification. */
  function observeActions(device: string, res: OutgoingMessage): void {
    res.setOption("Content-Format", JSON_FORMAT);
    res.code = "2.05";
    (res as unknown as { statusCode: string }).statusCode = "2.05";
    res.write(Buffer.from("[]"));
    void o.presence.report(device, "connected");
    let open = true;
    const detach = o.dispatcher.attach(device, {
      via: "coap",
      deliver: async (actions: readonly PendingAction[]) => {
        if (!open) return 0;
        res.write(Buffer.from(JSON.stringify(actions)));
        return actions.length;
      },
    });
    const end = () => {
      if (!open) return;
      open = false;
      detach();
      void o.presence.report(device, "disconnected");
    };
    res.on("finish", end);
    res.on("close", end);
    res.on("error", end);
  }

  return (req, res) => {
    let route: PlainRoute | undefined;
    try {
      route = matchPlainPath(String(req.method), optionStrings(req, "Uri-Path"));
    } catch (err) {
      replyError(res, err, o.logger);
      return true;
    }
    if (!route) return false;
    if (String(req.method) !== methodOf(route)) {
      reply(res, "4.05", `use ${methodOf(route)} on this path`);
      return true;
    }
    handle(route, req, res).catch((err: unknown) => replyError(res, err, o.logger));
    return true;
  };
}
