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
import { type DeviceFact, parseJsonPayload } from "../../shared/device-facts.ts";
import type { ThingOwnership } from "../../shared/ownership.ts";
import type { PresenceReporter } from "../../shared/presence.ts";
import { TooLargeError } from "../../shared/problem.ts";
import { type CoapError, coapErrorOf } from "../coap-errors.ts";
import { JSON_FORMAT } from "../coap-formats.ts";
import { type FactSink, reply } from "../lwm2m/lwm2m-server.ts";
import { actionStatus, matchPlainPath, methodOf, type PlainRoute } from "./device-paths.ts";

/** The CoAP option number that carries the device token (experimental range, elective). */
export const TOKEN_OPTION = 65000;
const TOKEN_NAME = String(TOKEN_OPTION);

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

/** A CoAP option as node-coap parses it (requests and raw packets alike). */
export type RawOption = { name: string | number; value: unknown };

function tokenOf(options: readonly RawOption[]): string | undefined {
  const opt = options.find((o) => o.name === TOKEN_NAME || o.name === TOKEN_OPTION);
  return opt && Buffer.isBuffer(opt.value) ? decoder.decode(opt.value) : undefined;
}

function payloadOf(payload: unknown, max: number): Buffer {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.alloc(0);
  if (bytes.length > max) throw new TooLargeError(`the payload is ${bytes.length} bytes; the limit is ${max}`);
  return bytes;
}

const optionsOf = (req: IncomingMessage) => (req as unknown as { options?: RawOption[] }).options ?? [];

/** The Uri-Path segments, each one option. */
function uriPath(options: readonly RawOption[]): string[] {
  const path: string[] = [];
  for (const o of options)
    if (o.name === "Uri-Path") path.push(Buffer.isBuffer(o.value) ? o.value.toString() : String(o.value));
  return path;
}

/** The one place plain-CoAP errors become answers (code and a short diagnostic text); internal ones are logged. */
export function answerOfError(err: unknown, logger: Logger): CoapError {
  const e = coapErrorOf(err);
  if (e.code.startsWith("5.")) logger.warn("a CoAP device request failed", { err });
  return e;
}

function replyError(res: OutgoingMessage, err: unknown, logger: Logger): void {
  const e = answerOfError(err, logger);
  reply(res, e.code, e.message);
}

export type PlainCoap = {
  /** Serves a node-coap request; false when the path is not a plain-CoAP device path. */
  handle(req: IncomingMessage, res: OutgoingMessage): boolean;
  /**
   * Stores a fact from a request's method, options and payload, checked as `handle` checks it; resolves once
   * stored. Undefined when the request is not a well-formed fact request (`handle` then answers it).
   */
  fact(method: string, options: readonly RawOption[], payload: unknown): Promise<void> | undefined;
  /** The answer to a failed request (see {@link answerOfError}). */
  answerOf(err: unknown): CoapError;
  /** Drops the tokens remembered for a device, so its next request is checked in full (call on deactivation). */
  forget(device: string): void;
};

export function plainCoap(o: PlainCoapOptions): PlainCoap {
  /** Verified tokens for a minute, so a busy device does not pay a signature check per message. */
  const verified = new Map<string, { device: string; until: number }>();

  /** The device a token names; at once (no promise) for a token verified in the last minute. */
  function deviceOf(options: readonly RawOption[]): string | Promise<string> {
    const token = tokenOf(options);
    if (!token) throw new UnauthenticatedError("send the device token in CoAP option 65000");
    const hit = verified.get(token);
    const now = Date.now();
    if (hit && hit.until > now && o.authenticator.isActive(hit.device)) return hit.device;
    return o.authenticator.authenticate({ token }).then(({ device }) => {
      if (verified.size > 10_000) verified.clear();
      verified.set(token, { device, until: now + 60_000 });
      return device;
    });
  }

  async function storeFact(fact: DeviceFact, options: readonly RawOption[], payload: unknown): Promise<void> {
    const known = deviceOf(options);
    const device = typeof known === "string" ? known : await known;
    await o.facts.publish(device, fact, parseJsonPayload(payloadOf(payload, o.maxPayloadBytes)));
  }

  async function handle(route: PlainRoute, req: IncomingMessage, res: OutgoingMessage): Promise<void> {
    if (route.op === "fact") {
      await storeFact(route.fact, optionsOf(req), req.payload);
      reply(res, "2.04");
      return;
    }
    const device = await deviceOf(optionsOf(req));
    switch (route.op) {
      case "status": {
        const parsed = actionStatus.safeParse(parseJsonPayload(payloadOf(req.payload, o.maxPayloadBytes)));
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

  function fact(method: string, options: readonly RawOption[], payload: unknown): Promise<void> | undefined {
    let route: PlainRoute | undefined;
    try {
      route = matchPlainPath(method, uriPath(options));
    } catch {
      return undefined;
    }
    if (route?.op !== "fact" || route.method !== method) return undefined;
    return storeFact(route.fact, options, payload);
  }

  const serve = (req: IncomingMessage, res: OutgoingMessage): boolean => {
    let route: PlainRoute | undefined;
    try {
      route = matchPlainPath(String(req.method), uriPath(optionsOf(req)));
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
  const forget = (device: string) => {
    for (const [token, hit] of verified) if (hit.device === device) verified.delete(token);
  };
  return { handle: serve, fact, answerOf: (err) => answerOfError(err, o.logger), forget };
}
