/**
 * Device ingest over HTTP: provisioned devices post events with their device tokens.
 *
 * Targets: ≥ 10,000 events/s stored, and ≥ 0.5 × the bare HTTP server's rate under the same load; 0 errors.
 * Closed model: INGEST_VUS virtual users, each one device posting `POST /things/{thing}/event/reading` for its own
 * Thing (claimed in setup by publishing the TD first) as fast as the answers come, for DURATION. An event counts
 * when the hub answered 204, i.e. once it is stored in JetStream.
 * Ceilings: the same load against the bare HTTP server (answers 204) and against a bare server that publishes
 * each body to JetStream raw (load-tests/baselines/http-jetstream.ts).
 */
import { check, fail } from "k6";
import http from "k6/http";
import { Counter } from "k6/metrics";
import type { Options } from "k6/options";
import {
  bearer,
  claimThings,
  DATA,
  type Device,
  DURATION,
  guarded,
  NO_HTTP_ERRORS,
  num,
  TREND_STATS,
  thingUrl,
  thresholds,
  writeSummary,
} from "./lib/k6-common.ts";

const VUS = num("INGEST_VUS", 50);
const stored = new Counter("events_stored");

export const options: Options = {
  summaryTrendStats: TREND_STATS,
  scenarios: { ingest: { executor: "constant-vus", vus: VUS, duration: DURATION, exec: "ingest" } },
  thresholds: thresholds({ ...NO_HTTP_ERRORS, events_stored: ["count>0"] }, { events_stored: ["rate>=10000"] }),
};

/** Each device claims its Thing by publishing the TD first. */
export function setup(): void {
  if (DATA.devices.length < VUS) fail(`the data file has ${DATA.devices.length} devices, ${VUS} needed`);
  claimThings(DATA.devices.slice(0, VUS));
}

let seq = 0;
export const ingest = guarded((): void => {
  const device = DATA.devices[(__VU - 1) % VUS] as Device;
  const res = http.post(`${thingUrl(device)}/event/reading`, JSON.stringify({ seq: seq++, celsius: 21.5 }), {
    headers: bearer(device.token),
    tags: { name: "event" },
  });
  if (check(res, { "event stored (204)": (r) => r.status === 204 })) stored.add(1);
});

export const handleSummary = writeSummary("http-ingest");
