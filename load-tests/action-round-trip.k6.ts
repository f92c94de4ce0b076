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
import { Counter } from "k6/metrics";
import type { Options } from "k6/options";
import { ACTION_DEVICES, actionScenarios, invokeOn, LISTENING_MS } from "./lib/actions.ts";
import {
  BASE_URL,
  bearer,
  claimThings,
  DATA,
  guarded,
  loginAdmin,
  TREND_STATS,
  writeSummary,
} from "./lib/k6-common.ts";

const POLL_S = 2;
const devices = DATA.devices.slice(0, ACTION_DEVICES);
const reported = new Counter("statuses_reported");

export const options: Options = { summaryTrendStats: TREND_STATS, ...actionScenarios() };

export function setup(): { token: string } {
  claimThings(devices);
  return { token: loginAdmin() };
}

type Pending = { actionId: string; thing: string; name: string };

/** One device: long-polls for its actions and reports each one completed, until the operators are done. */
export const device = guarded((): void => {
  const d = devices[exec.scenario.iterationInTest % devices.length];
  if (!d) throw new Error("no devices in the data file");
  const until = Date.now() + LISTENING_MS;
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

export const invoke = invokeOn(devices);

export const handleSummary = writeSummary("action-round-trip");
