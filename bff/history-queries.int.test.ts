import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppendRequest } from "../core/event-log.ts";
import { subjects } from "../core/subjects.ts";
import { gql } from "./test-client.ts";
import { startTestHub, type TestHub } from "./test-hub.ts";

let hub: TestHub;
/** A whole minute an hour ago: the values below lie in the three minutes after it. */
const base = Math.floor((Date.now() - 3_600_000) / 60_000) * 60_000;
const at = (seconds: number) => new Date(base + seconds * 1000).toISOString();

const level = (seconds: number, value: unknown): AppendRequest => ({
  subject: subjects.property("lamp-1", "level"),
  type: "spokes.PropertyReported",
  data: value,
  time: at(seconds),
});
const reading = (seconds: number, value: unknown): AppendRequest => ({
  subject: subjects.event("lamp-1", "reading"),
  type: "spokes.EventEmitted",
  data: value,
  time: at(seconds),
});
const request = (actionId: string, seconds: number): AppendRequest => ({
  subject: subjects.actionRequest("lamp-1", "toggle"),
  type: "spokes.ActionRequested",
  data: { actionId, requestedBy: "otto" },
  time: at(seconds),
});
const step = (actionId: string, state: "completed" | "failed"): AppendRequest => ({
  subject: subjects.actionState(actionId, state),
  type: state === "completed" ? "spokes.ActionCompleted" : "spokes.ActionFailed",
  data: { thing: "lamp-1", name: "toggle", ...(state === "failed" ? { error: "jammed" } : {}) },
});

beforeAll(async () => {
  hub = await startTestHub();
  await hub.log.appendMany([
    level(0, 10),
    level(10, 20),
    level(70, 30),
    level(80, "n/a"),
    level(130, 40),
    reading(5, { temperature: 21.5 }),
    reading(65, { temperature: 22.5, unit: "C" }),
    reading(66, { humidity: 40 }),
    request("act-a", 0),
    request("act-b", 60),
    request("act-c", 120),
    step("act-a", "completed"),
    step("act-b", "failed"),
  ]);
  await hub.caughtUp();
}, 120_000);
afterAll(async () => {
  await hub?.close();
});

const BUCKETS = `query($thing: ID!, $name: String!, $from: DateTime!, $to: DateTime!, $every: Int!, $path: [String!]) {
  historyAggregates(thing: $thing, name: $name, from: $from, to: $to, every: $every, path: $path) { start count min max avg } }`;

describe("historyAggregates", () => {
  it("Given numbers and a string in three minutes, When bucketed per minute, Then each minute holds the count, min, max and average of its numbers", async () => {
    const r = await gql(
      hub.url,
      BUCKETS,
      { thing: "lamp-1", name: "level", from: at(0), to: at(179), every: 60 },
      hub.tokens.vera,
    );
    expect(r.data?.historyAggregates).toEqual([
      { start: at(0), count: 2, min: 10, max: 20, avg: 15 },
      { start: at(60), count: 1, min: 30, max: 30, avg: 30 },
      { start: at(120), count: 1, min: 40, max: 40, avg: 40 },
    ]);
  });

  it("Given object values, When bucketed with a path, Then the numbers at that path count and objects without it do not", async () => {
    const variables = { thing: "lamp-1", name: "reading", from: at(0), to: at(179), every: 120, path: ["temperature"] };
    const r = await gql(hub.url, BUCKETS, variables, hub.tokens.vera);
    expect(r.data?.historyAggregates).toEqual([{ start: at(0), count: 2, min: 21.5, max: 22.5, avg: 22 }]);
  });

  it("Given a caller who may not see the Thing, When asking, Then there are no buckets", async () => {
    const r = await gql(
      hub.url,
      BUCKETS,
      { thing: "lamp-1", name: "level", from: at(0), to: at(179), every: 60 },
      hub.tokens.gary,
    );
    expect(r.data?.historyAggregates).toEqual([]);
  });

  it.each([
    ["too many buckets", { every: 1, to: new Date(base + 86_400_000).toISOString() }, /more than 10000 buckets/],
    ["a reversed range", { to: at(-60) }, /`to` is before `from`/],
    ["a zero interval", { every: 0 }, /every/],
  ])("refuses %s", async (_what, change, message) => {
    const variables = { thing: "lamp-1", name: "level", from: at(0), to: at(179), every: 60, ...change };
    const r = await gql(hub.url, BUCKETS, variables, hub.tokens.vera);
    expect(r.errors?.[0]?.message).toMatch(message);
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});

const ACTIONS = `query($statuses: [ActionState!], $from: DateTime, $to: DateTime) {
  actions(thing: "lamp-1", statuses: $statuses, from: $from, to: $to) { nodes { actionId state } } }`;

describe("actions by time range and status", () => {
  it.each([
    ["finished ones", { statuses: ["COMPLETED", "FAILED"] }, ["act-b", "act-a"]],
    ["those requested in the second minute", { from: at(30), to: at(90) }, ["act-b"]],
    [
      "those requested since the second minute that are still open",
      { from: at(60), statuses: ["REQUESTED"] },
      ["act-c"],
    ],
    ["none for an empty list of states", { statuses: [] }, []],
  ])(
    "Given three actions, When listing %s, Then exactly those come back, newest first",
    async (_what, variables, ids) => {
      const r = await gql(hub.url, ACTIONS, variables, hub.tokens.vera);
      expect(r.data?.actions.nodes.map((n: { actionId: string }) => n.actionId)).toEqual(ids);
    },
  );
});

const PAGE = `query($after: String) {
  actions(thing: "lamp-1", first: 1, after: $after) { nodes { actionId } pageInfo { endCursor hasNextPage } } }`;

describe("actions pages", () => {
  it("Given three actions, When paged one at a time with the cursors handed out, Then each comes once, newest first", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await gql(hub.url, PAGE, { after }, hub.tokens.vera);
      const page = r.data?.actions;
      seen.push(...page.nodes.map((n: { actionId: string }) => n.actionId));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(["act-c", "act-b", "act-a"]);
  });

  it.each([
    ["not base64 JSON", "%%%"],
    ["a string that is no keyset", Buffer.from(JSON.stringify("plain")).toString("base64url")],
    [
      "a keyset with a forged time",
      Buffer.from(JSON.stringify(JSON.stringify(["yesterday'; drop", "act-a"]))).toString("base64url"),
    ],
  ])("Given a cursor that is %s, When paging, Then the answer is a validation error", async (_what, after) => {
    const r = await gql(hub.url, PAGE, { after }, hub.tokens.vera);
    expect(r.errors?.[0]?.message).toMatch(/cursor is not one this server gave out/);
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
