/**
 * What the k6 scenarios share (this runs inside k6, not Node): settings from `-e NAME=value`, the data file the
 * driver writes (users, Things, devices with tokens), GraphQL over HTTP, thresholds, and the summary file.
 *
 * Every scenario runs against either the hub (`TARGET=hub`) or a baseline (`TARGET=baseline`) that speaks the
 * same paths without the hub behind them; the driver (load-tests/run.ts) compares the two.
 */
import { fail } from "k6";
import http, { type RefinedResponse, type ResponseType } from "k6/http";
import { Counter } from "k6/metrics";
import type { Options } from "k6/options";
import { tdOf } from "./load-td.ts";

export { tdOf };

export const env = (name: string, fallback = ""): string => __ENV[name] ?? fallback;
export const num = (name: string, fallback: number): number => Number(env(name, String(fallback)));

/** A few seconds per scenario: proves the scenario still runs, with no error; judges no speed. */
export const SMOKE = env("SMOKE") === "1";
export const TARGET = env("TARGET", "hub");
export const ON_HUB = TARGET === "hub";
/** `http://host:port` of the hub's HTTP endpoint, or of the baseline standing in for it. */
export const BASE_URL = env("BASE_URL", "http://127.0.0.1:4000");
export const DURATION = env("DURATION", SMOKE ? "3s" : "20s");
export const durationMs = (d: string): number => {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(d);
  if (!m) throw new Error(`bad duration ${d}`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] as "ms" | "s" | "m"] ?? 1);
};

export type Device = { device: string; token: string; thing: string };
export type LoadData = {
  adminPassword: string;
  /** Things seeded straight into the log (for queries and history). */
  things: string[];
  /** Things with history values, and the time range those values cover. */
  history: { things: string[]; from: string; to: string };
  /** Provisioned devices, each with one Thing of its own it claims by publishing the TD first. */
  devices: Device[];
};

const dataFile = env("DATA_FILE");
export const DATA: LoadData = dataFile
  ? JSON.parse(open(dataFile))
  : { adminPassword: "", things: [], history: { things: [], from: "", to: "" }, devices: [] };

/** Merges the error thresholds (always) with the speed goals (full runs against the hub only). */
export function thresholds(
  errors: Record<string, string[]>,
  goals: Record<string, string[]>,
): NonNullable<Options["thresholds"]> {
  const out: Record<string, string[]> = { ...errors };
  if (!SMOKE && ON_HUB) for (const [k, v] of Object.entries(goals)) out[k] = [...(out[k] ?? []), ...v];
  return out;
}

/** Exceptions thrown in a scenario's code; k6 logs them but counts them nowhere else. */
export const scriptErrors = new Counter("script_errors");

/** Runs one iteration's body, counting an exception as an error instead of only logging it. */
export function guarded<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch (err) {
      scriptErrors.add(1);
      console.error(String(err));
    }
  };
}

/** The error thresholds every HTTP scenario has: no failed request, every check passes, no exception. */
export const NO_HTTP_ERRORS = { http_req_failed: ["rate==0"], checks: ["rate==1"], script_errors: ["count==0"] };

/** Percentiles in the summary (k6 leaves out p(99) by default). */
export const TREND_STATS = ["min", "med", "avg", "p(90)", "p(99)", "max", "count"];

const json = { "content-type": "application/json" };
export const bearer = (token: string) => ({ ...json, authorization: `Bearer ${token}` });

export function gql(
  query: string,
  variables: Record<string, unknown>,
  token: string | undefined,
  name: string,
): RefinedResponse<ResponseType> {
  return http.post(`${BASE_URL}/graphql`, JSON.stringify({ query, variables }), {
    headers: token ? bearer(token) : json,
    tags: { name },
  });
}

/** The field of a GraphQL response's data, or undefined when the request failed (a baseline answers 204). */
export function gqlData(res: RefinedResponse<ResponseType>, field: string): unknown {
  if (res.status !== 200 || typeof res.body !== "string") return undefined;
  const body = JSON.parse(res.body) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (body.errors?.length) return undefined;
  return body.data?.[field];
}

export const thingUrl = (d: Device, base = BASE_URL) => `${base}/things/${encodeURIComponent(d.thing)}`;

/** Each device claims its Thing by publishing the TD first (`PUT /things/{thing}/td`, 204 once stored). */
export function claimThings(devices: Device[], base = BASE_URL): void {
  const responses = http.batch(
    devices.map((d) => ({
      method: "PUT",
      url: `${thingUrl(d, base)}/td`,
      body: JSON.stringify(tdOf(d)),
      params: { headers: bearer(d.token), tags: { name: "td" } },
    })),
  );
  for (const r of responses) if (r.status !== 204) fail(`TD refused: ${r.status} ${String(r.body).slice(0, 200)}`);
}

/** Logs in as the hub administrator; against a baseline there is nothing to log in to. */
export function loginAdmin(): string {
  if (!ON_HUB) return "baseline";
  const res = gql(
    'mutation($p:String!){ login(user:"admin", password:$p){ __typename ... on Session { accessToken } } }',
    { p: DATA.adminPassword },
    undefined,
    "login",
  );
  const session = gqlData(res, "login") as { accessToken?: string } | undefined;
  if (!session?.accessToken) throw new Error(`admin login failed: ${res.status} ${String(res.body).slice(0, 200)}`);
  return session.accessToken;
}

type SummaryData = {
  metrics: Record<string, { values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }>;
};

/** handleSummary: the whole k6 summary as JSON into SUMMARY_FILE, and a few lines on stdout. */
export function writeSummary(scenario: string) {
  return (data: SummaryData): Record<string, string> => {
    const lines = [`${scenario} (${TARGET}${SMOKE ? ", smoke" : ""})`];
    for (const [name, m] of Object.entries(data.metrics)) {
      const failed = Object.entries(m.thresholds ?? {}).filter(([, t]) => !t.ok);
      const v = m.values;
      const figure =
        v["p(99)"] !== undefined
          ? `p50 ${v.med?.toFixed(2)} p99 ${v["p(99)"]?.toFixed(2)} max ${v.max?.toFixed(2)}`
          : v.rate !== undefined && v.count !== undefined
            ? `${v.count} (${v.rate.toFixed(1)}/s)`
            : v.rate !== undefined
              ? `rate ${v.rate}`
              : JSON.stringify(v);
      lines.push(`  ${name}: ${figure}${failed.length ? `  FAILED ${failed.map(([t]) => t).join(", ")}` : ""}`);
    }
    const out: Record<string, string> = { stdout: `${lines.join("\n")}\n` };
    const file = env("SUMMARY_FILE");
    if (file) out[file] = JSON.stringify(data, null, 1);
    return out;
  };
}
