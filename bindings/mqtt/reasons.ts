/**
 * The one place where errors become MQTT answers. MQTT 3.1.1 has a return code only on CONNECT; a PUBLISH the hub
 * refuses is still acknowledged (the protocol has no negative PUBACK) so the connection's other messages flow, and
 * the reason goes to the log and, if the device subscribed to it, to `devices/{device}/errors`. A publish that
 * could not be stored for a passing reason (JetStream unreachable) is not acknowledged: the connection is closed
 * so the device sends it again.
 */
import type { AuthenticateError } from "aedes";
import { UnauthenticatedError } from "../../core/errors.ts";
import { type Problem, problemOf } from "../shared/problem.ts";

/** CONNACK return codes of MQTT 3.1.1. */
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export function connectError(err: unknown): AuthenticateError {
  const p = problemOf(err);
  const returnCode =
    err instanceof UnauthenticatedError
      ? BAD_USERNAME_OR_PASSWORD
      : p.code === "UNAVAILABLE"
        ? SERVER_UNAVAILABLE
        : NOT_AUTHORIZED;
  return Object.assign(new Error(p.message), { returnCode }) as AuthenticateError;
}

/** What the device is told about a message the hub dropped. */
export function dropNotice(topic: string, err: unknown): Problem & { topic: string } {
  return { topic: topic.slice(0, 300), ...problemOf(err) };
}
