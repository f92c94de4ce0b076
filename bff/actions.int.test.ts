import { describe, expect, it } from "vitest";
import type { AppendRequest, LoggedEvent } from "../core/event-log.ts";
import { subjects } from "../core/subjects.ts";
import { gql } from "./test-client.ts";
import { useTestHub } from "./use-test-hub.ts";

const hub = useTestHub();

const call = (query: string, user: string, variables: Record<string, unknown> = {}) =>
  gql(hub().url, query, variables, hub().tokens[user]);

const RESULT = `__typename ... on ActionInvocation { actionId name state output error timedOut }
  ... on ValidationError { issues { path message } } ... on Problem { message }`;
const WRITE = `mutation($thing: ID!, $name: String!, $value: JSON!, $waitFor: WaitFor, $timeout: Int) {
  writeProperty(thing: $thing, name: $name, value: $value, waitFor: $waitFor, timeout: $timeout) { ${RESULT} } }`;
const INVOKE = `mutation($thing: ID!, $name: String!, $input: JSON, $waitFor: WaitFor, $timeout: Int) {
  invokeAction(thing: $thing, name: $name, input: $input, waitFor: $waitFor, timeout: $timeout) { ${RESULT} } }`;

/** A stand-in device: answers the next request on `subject` with the lifecycle steps `respond` gives. */
async function device(subject: string, respond: (actionId: string) => AppendRequest[]) {
  const controller = new AbortController();
  // From the head onward, so the request cannot slip by before the watch's consumer exists.
  const from = ((await hub().log.stats()).find((s) => s.stream === "ACTIONS")?.lastSeq ?? 0) + 1;
  const watching = (async () => {
    for await (const e of hub().log.watch({ stream: "ACTIONS", filter: subject, from, signal: controller.signal })) {
      await hub().log.appendMany(respond((e.data as { actionId: string }).actionId));
      return e;
    }
  })();
  return { request: watching as Promise<LoggedEvent | undefined>, stop: () => controller.abort() };
}

const step = (actionId: string, state: "delivered" | "completed" | "failed", data: object = {}) => ({
  subject: subjects.actionState(actionId, state),
  type: `spokes.Action${state[0]?.toUpperCase()}${state.slice(1)}`,
  data: { thing: "lamp-1", name: "dim", ...data },
});

describe("writeProperty", () => {
  it.each([
    ["mia", "ActionInvocation"],
    ["kate", "ActionInvocation"],
    ["admin", "ActionInvocation"],
    ["otto", "Forbidden"],
    ["vera", "Forbidden"],
    ["gary", "NotFound"],
  ])("%s writing a property gets %s", async (user, typename) => {
    const r = await call(WRITE, user, { thing: "lamp-1", name: "mode", value: "eco" });
    expect(r.data?.writeProperty.__typename).toBe(typename);
  });

  it("appends an action request named for the property, with the value as input", async () => {
    const r = await call(WRITE, "mia", { thing: "lamp-1", name: "level", value: 42 });
    expect(r.data?.writeProperty).toMatchObject({ name: "level", state: "REQUESTED", timedOut: false });
    const requests = hub().log.read({
      stream: "ACTIONS",
      filter: subjects.actionRequest("lamp-1", "writeproperty:level"),
    });
    const found: unknown[] = [];
    for await (const e of requests) found.push(e.data);
    expect(found).toContainEqual({
      actionId: r.data?.writeProperty.actionId,
      input: 42,
      requestedBy: "mia",
      op: "writeproperty",
    });
  });

  it.each([
    ["a value outside the enum", "mode", "turbo", [{ path: "value", message: 'must be one of "eco", "boost"' }]],
    ["a value of the wrong type", "level", "high", [{ path: "value", message: "must be number, not string" }]],
    ["a read-only property", "serial", "x", [{ path: "name", message: "the property is read-only" }]],
  ])("refuses %s with field issues", async (_what, name, value, issues) => {
    const r = await call(WRITE, "mia", { thing: "lamp-1", name, value });
    expect(r.data?.writeProperty).toMatchObject({ __typename: "ValidationError", issues });
  });

  it("reports an unknown property as not found", async () => {
    const r = await call(WRITE, "mia", { thing: "lamp-1", name: "colour", value: 1 });
    expect(r.data?.writeProperty.__typename).toBe("NotFound");
  });
});

describe("invokeAction input", () => {
  it.each([
    ["a level above the maximum", { level: 200 }, [{ path: "input.level", message: "must be at most 100" }]],
    ["a missing required member", {}, [{ path: "input.level", message: "is required" }]],
    ["no input at all", undefined, [{ path: "input", message: "must be object, not undefined" }]],
  ])("refuses %s with field issues", async (_what, input, issues) => {
    const r = await call(INVOKE, "otto", { thing: "lamp-1", name: "dim", input });
    expect(r.data?.invokeAction).toMatchObject({ __typename: "ValidationError", issues });
  });

  it("accepts input that meets the schema", async () => {
    const r = await call(INVOKE, "otto", { thing: "lamp-1", name: "dim", input: { level: 30 } });
    expect(r.data?.invokeAction).toMatchObject({ __typename: "ActionInvocation", state: "REQUESTED" });
  });
});

describe("waitFor", () => {
  const dim = subjects.actionRequest("lamp-1", "dim");

  it("DELIVERED returns once the device has the request", async () => {
    const d = await device(dim, (id) => [step(id, "delivered", { via: "test" })]);
    const r = await call(INVOKE, "otto", { thing: "lamp-1", name: "dim", input: { level: 1 }, waitFor: "DELIVERED" });
    expect(r.data?.invokeAction).toMatchObject({ state: "DELIVERED", timedOut: false });
    expect((await d.request)?.data).toMatchObject({ actionId: r.data?.invokeAction.actionId });
  });

  it("COMPLETED returns the output", async () => {
    await device(dim, (id) => [step(id, "delivered"), step(id, "completed", { output: { level: 2 } })]);
    const r = await call(INVOKE, "otto", { thing: "lamp-1", name: "dim", input: { level: 2 }, waitFor: "COMPLETED" });
    expect(r.data?.invokeAction).toMatchObject({ state: "COMPLETED", output: { level: 2 }, timedOut: false });
  });

  it("COMPLETED also ends on failure, with the error", async () => {
    await device(dim, (id) => [step(id, "failed", { error: "stuck" })]);
    const r = await call(INVOKE, "otto", { thing: "lamp-1", name: "dim", input: { level: 3 }, waitFor: "COMPLETED" });
    expect(r.data?.invokeAction).toMatchObject({ state: "FAILED", error: "stuck", timedOut: false });
  });

  it("gives up after the timeout with the state reached so far", async () => {
    const d = await device(dim, (id) => [step(id, "delivered")]);
    const r = await call(INVOKE, "otto", {
      thing: "lamp-1",
      name: "dim",
      input: { level: 4 },
      waitFor: "COMPLETED",
      timeout: 1,
    });
    expect(r.data?.invokeAction).toMatchObject({ state: "DELIVERED", timedOut: true });
    d.stop();
  });

  it("refuses a timeout beyond the limit", async () => {
    const r = await call(WRITE, "mia", {
      thing: "lamp-1",
      name: "level",
      value: 1,
      waitFor: "DELIVERED",
      timeout: 999,
    });
    expect(r.data?.writeProperty).toMatchObject({ __typename: "ValidationError", issues: [{ path: "timeout" }] });
  });
});

describe("actions query", () => {
  const ACTIONS = `query($thing: ID!, $status: ActionState, $first: Int, $after: String) {
    actions(thing: $thing, status: $status, first: $first, after: $after) {
      nodes { actionId name state input requestedBy output error } pageInfo { endCursor hasNextPage } } }`;

  it("lists a Thing's actions newest first, by state, page by page", async () => {
    await hub().caughtUp();
    const all = await call(ACTIONS, "vera", { thing: "lamp-1", first: 100 });
    const nodes = all.data?.actions.nodes as { actionId: string; name: string; state: string }[];
    // Requests before this test: 3 property writes by role, 1 more, 1 plain invocation and 4 that waited.
    expect(nodes.length).toBe(9);
    expect(nodes[0]).toMatchObject({ name: "dim", input: { level: 4 }, state: "DELIVERED", requestedBy: "otto" });
    expect(nodes.at(-1)).toMatchObject({ name: "writeproperty:mode", input: "eco", state: "REQUESTED" });
    const completed = await call(ACTIONS, "vera", { thing: "lamp-1", status: "COMPLETED" });
    expect(completed.data?.actions.nodes).toEqual([
      expect.objectContaining({ name: "dim", input: { level: 2 }, output: { level: 2 }, error: null }),
    ]);
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await call(ACTIONS, "vera", { thing: "lamp-1", first: 4, after });
      const nodes: { actionId: string }[] = page.data?.actions.nodes ?? [];
      seen.push(...nodes.map((n) => n.actionId));
      after = page.data?.actions.pageInfo.hasNextPage ? page.data.actions.pageInfo.endCursor : undefined;
    } while (after);
    expect(seen).toEqual(nodes.map((n) => n.actionId));
  });

  it("tells property writes from action invocations by operation, with the TD name as the affordance", async () => {
    await hub().caughtUp();
    const r = await call(`{ actions(thing: "lamp-1", first: 100) { nodes { name operation affordance } } }`, "vera");
    const nodes: { name: string; operation: string; affordance: string }[] = r.data?.actions.nodes ?? [];
    expect(nodes).toContainEqual({ name: "writeproperty:mode", operation: "WRITE_PROPERTY", affordance: "mode" });
    expect(nodes).toContainEqual({ name: "dim", operation: "INVOKE_ACTION", affordance: "dim" });
    const invoked = await call(INVOKE, "otto", { thing: "lamp-1", name: "toggle" });
    expect(invoked.data?.invokeAction).toMatchObject({ __typename: "ActionInvocation" });
    const written = await call(
      `mutation { writeProperty(thing: "lamp-1", name: "level", value: 3) { ... on ActionInvocation { operation } } }`,
      "mia",
    );
    expect(written.data?.writeProperty).toEqual({ operation: "WRITE_PROPERTY" });
  });

  it("shows nothing of a Thing the caller may not see", async () => {
    const r = await call(ACTIONS, "gary", { thing: "lamp-1" });
    expect(r.data?.actions).toEqual({ nodes: [], pageInfo: { endCursor: null, hasNextPage: false } });
  });
});
