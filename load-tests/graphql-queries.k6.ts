/**
 * GraphQL queries as a web app makes them, logged in as the hub administrator.
 *
 * Targets: `things(first: 100)` over 1,000 Things p99 ≤ 10 ms (the BFF's goal); a history range (50 values of one
 * Thing between two times, out of ~2,000 per Thing) p99 ≤ 25 ms; 0 errors. Closed model: QUERY_VUS virtual users
 * per query, each sending its next request when the last one answered, for DURATION; the rate reached is the
 * throughput. Ceiling: the same load against the bare HTTP server (answers 204).
 *
 *   k6 run -e BASE_URL=http://127.0.0.1:4000 -e DATA_FILE=data.json load-tests/graphql-queries.k6.ts
 */
import { check } from "k6";
import type { Options } from "k6/options";
import {
  DATA,
  DURATION,
  gql,
  gqlData,
  guarded,
  loginAdmin,
  NO_HTTP_ERRORS,
  num,
  ON_HUB,
  TREND_STATS,
  thresholds,
  writeSummary,
} from "./lib/k6-common.ts";

const VUS = num("QUERY_VUS", 4);

export const options: Options = {
  summaryTrendStats: TREND_STATS,
  scenarios: {
    things_list: { executor: "constant-vus", vus: VUS, duration: DURATION, exec: "thingsList" },
    history_range: { executor: "constant-vus", vus: VUS, duration: DURATION, exec: "historyRange" },
  },
  thresholds: thresholds(
    {
      ...NO_HTTP_ERRORS,
      "http_req_duration{scenario:things_list}": ["max>=0"],
      "http_req_duration{scenario:history_range}": ["max>=0"],
    },
    {
      "http_req_duration{scenario:things_list}": ["p(99)<=10"],
      "http_req_duration{scenario:history_range}": ["p(99)<=25"],
    },
  ),
};

export function setup(): { token: string } {
  return { token: loginAdmin() };
}

const THINGS = `query($after: String) { things(first: 100, after: $after) {
  nodes { id title types } pageInfo { endCursor hasNextPage } } }`;

export const thingsList = guarded(({ token }: { token: string }): void => {
  const res = gql(THINGS, {}, token, "things");
  const page = gqlData(res, "things") as { nodes: unknown[] } | undefined;
  check(res, { "things: 100 Things": () => (ON_HUB ? page?.nodes.length === 100 : res.status === 204) });
});

const HISTORY = `query($thing: ID!, $from: DateTime, $to: DateTime) {
  history(thing: $thing, from: $from, to: $to, first: 50, order: OLDEST) {
    nodes { seq name kind value time } pageInfo { endCursor hasNextPage } } }`;

export const historyRange = guarded(({ token }: { token: string }): void => {
  const things = DATA.history.things;
  const thing = things[Math.floor(Math.random() * things.length)];
  // A window of a tenth of the seeded span, starting anywhere in its first nine tenths.
  const from = Date.parse(DATA.history.from);
  const span = Date.parse(DATA.history.to) - from;
  const start = from + Math.random() * span * 0.9;
  const variables = { thing, from: new Date(start).toISOString(), to: new Date(start + span / 10).toISOString() };
  const res = gql(HISTORY, variables, token, "history");
  const page = gqlData(res, "history") as { nodes: unknown[] } | undefined;
  check(res, { "history: 50 values": () => (ON_HUB ? page?.nodes.length === 50 : res.status === 204) });
});

export const handleSummary = writeSummary("graphql-queries");
