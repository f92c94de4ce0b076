/**
 * The operator's side of the action scenarios (runs inside k6): invoke over GraphQL and wait for COMPLETED, the
 * round-trip trend, and the scenario shapes shared by the long-poll and the MQTT device variants.
 */
import { check } from "k6";
import exec from "k6/execution";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import {
  type Device,
  DURATION,
  durationMs,
  gql,
  gqlData,
  guarded,
  NO_HTTP_ERRORS,
  num,
  thresholds,
} from "./k6-common.ts";

export const ACTION_DEVICES = num("ACTION_DEVICES", 10);
const RATE = num("ACTION_RATE", 50);
export const INVOKE_TIMEOUT_S = 10;
/** Devices outlast the operators and their longest wait, so every action invoked finds its device listening. */
export const LISTENING_MS = durationMs(DURATION) + (3 + INVOKE_TIMEOUT_S) * 1000;

const roundTrip = new Trend("action_round_trip", true);
const completed = new Counter("actions_completed");

/**
 * Devices: one iteration each (iterationInTest numbers them 0…n-1; VU ids are shared by all scenarios), running
 * `device` for LISTENING_MS. Operators: ACTION_RATE invocations/s (open model) for DURATION, from 1 s in.
 */
export const actionScenarios = (extraErrors: Record<string, string[]> = {}): Options => ({
  scenarios: {
    devices: {
      executor: "per-vu-iterations",
      vus: ACTION_DEVICES,
      iterations: 1,
      maxDuration: `${Math.ceil(LISTENING_MS / 1000) + 20}s`,
      exec: "device",
    },
    operators: {
      executor: "constant-arrival-rate",
      rate: RATE,
      timeUnit: "1s",
      duration: DURATION,
      preAllocatedVUs: Math.max(5, Math.ceil(RATE / 10)),
      maxVUs: Math.max(20, RATE),
      startTime: "1s",
      exec: "invoke",
    },
  },
  thresholds: thresholds(
    { ...NO_HTTP_ERRORS, ...extraErrors, action_round_trip: ["max>=0"] },
    { action_round_trip: ["p(99)<=30"] },
  ),
});

const INVOKE = `mutation($thing: ID!, $name: String!) {
  invokeAction(thing: $thing, name: $name, ttl: 60, waitFor: COMPLETED, timeout: ${INVOKE_TIMEOUT_S}) {
    __typename ... on ActionInvocation { actionId state timedOut } ... on Problem { message } } }`;

/** One invocation of `toggle` on the next device's Thing; its duration is the round trip. */
export const invokeOn = (devices: Device[]) =>
  guarded(({ token }: { token: string }): void => {
    const d = devices[exec.scenario.iterationInTest % devices.length];
    if (!d) throw new Error("no devices in the data file");
    const res = gql(INVOKE, { thing: d.thing, name: "toggle" }, token, "invokeAction");
    const result = gqlData(res, "invokeAction") as { state?: string; message?: string } | undefined;
    if (check(result, { "action completed": (r) => r?.state === "COMPLETED" })) {
      completed.add(1);
      roundTrip.add(res.timings.duration);
    } else console.error(`invokeAction: ${res.status} ${String(res.body).slice(0, 300)}`);
  });
