/**
 * Action round trip: an operator invokes an action over GraphQL and waits for it to complete; the device gets it
 * by long-polling `GET /devices/{device}/actions?wait=…` and reports `POST /actions/{actionId}/status` completed.
 *
 * Target: round trip (the `invokeAction(waitFor: COMPLETED)` mutation's duration: request appended → delivered →
 * device answered → completed seen by the BFF) p99 ≤ 30 ms; every action completed; 0 errors.
 * ACTION_DEVICES devices long-poll in a loop; invocations arrive at ACTION_RATE/s (open model), spread over the
 * devices' Things. Ceiling: the same load against the bare HTTP server, which hands each invocation to a waiting
 * long-poll and answers the mutation when the status arrives.
 */
import { check } from "k6";
import exec from "k6/execution";
import http from "k6/http";
import { Counter, Trend } from "k6/metrics";
import type { Options } from "k6/options";
import {
  BASE_URL,
  bearer,
  claimThings,
  DATA,
  DURATION,
  durationMs,
  gql,
  gqlData,
  guarded,
  loginAdmin,
  NO_HTTP_ERRORS,
  num,
  TREND_STATS,
  thresholds,
  writeSummary,
} from "./lib/k6-common.ts";

const DEVICES = num("ACTION_DEVICES", 10);
const RATE = num("ACTION_RATE", 50);
const POLL_S = 2;
const INVOKE_TIMEOUT_S = 10;
/** Devices outlast the operators and their longest wait, so every action invoked finds its device polling. */
const POLLING_MS = durationMs(DURATION) + (1 + INVOKE_TIMEOUT_S + POLL_S) * 1000;
const devices = DATA.devices.slice(0, DEVICES);

const roundTrip = new Trend("action_round_trip", true);
const completed = new Counter("actions_completed");
const reported = new Counter("statuses_reported");

export const options: Options = {
  summaryTrendStats: TREND_STATS,
  scenarios: {
    // One iteration per device that polls in a loop: iterationInTest numbers the devices 0…n-1 (VU ids are
    // shared by all scenarios, so they cannot).
    devices: {
      executor: "per-vu-iterations",
      vus: DEVICES,
      iterations: 1,
      maxDuration: `${Math.ceil(POLLING_MS / 1000) + POLL_S + 15}s`,
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
  thresholds: thresholds({ ...NO_HTTP_ERRORS, action_round_trip: ["max>=0"] }, { action_round_trip: ["p(99)<=30"] }),
};

export function setup(): { token: string } {
  claimThings(devices);
  return { token: loginAdmin() };
}

type Pending = { actionId: string; thing: string; name: string };

/** One device: long-polls for its actions and reports each one completed, until the operators are done. */
export const device = guarded((): void => {
  const d = devices[exec.scenario.iterationInTest % devices.length];
  if (!d) throw new Error("no devices in the data file");
  const until = Date.now() + POLLING_MS;
  while (Date.now() < until) {
    const res = http.get(`${BASE_URL}/devices/${encodeURIComponent(d.device)}/actions?wait=${POLL_S}`, {
      headers: bearer(d.token),
      tags: { name: "poll" },
      timeout: `${POLL_S + 10}s`,
    });
    if (!check(res, { "poll answered (200 or 204)": (r) => r.status === 200 || r.status === 204 })) continue;
    if (res.status !== 200) continue;
    for (const action of JSON.parse(String(res.body)) as Pending[]) {
      const status = http.post(
        `${BASE_URL}/actions/${encodeURIComponent(action.actionId)}/status`,
        JSON.stringify({ status: "completed", output: { ok: true } }),
        { headers: bearer(d.token), tags: { name: "status" } },
      );
      if (check(status, { "status stored (204)": (r) => r.status === 204 })) reported.add(1);
    }
  }
});

const INVOKE = `mutation($thing: ID!, $name: String!) {
  invokeAction(thing: $thing, name: $name, ttl: 60, waitFor: COMPLETED, timeout: ${INVOKE_TIMEOUT_S}) {
    __typename ... on ActionInvocation { actionId state timedOut } ... on Problem { message } } }`;

export const invoke = guarded(({ token }: { token: string }): void => {
  const d = devices[exec.scenario.iterationInTest % devices.length];
  if (!d) throw new Error("no devices in the data file");
  const res = gql(INVOKE, { thing: d.thing, name: "toggle" }, token, "invokeAction");
  const result = gqlData(res, "invokeAction") as { state?: string; message?: string } | undefined;
  if (check(result, { "action completed": (r) => r?.state === "COMPLETED" })) {
    completed.add(1);
    roundTrip.add(res.timings.duration);
  } else console.error(`invokeAction: ${res.status} ${String(res.body).slice(0, 300)}`);
});

export const handleSummary = writeSummary("action-round-trip");
