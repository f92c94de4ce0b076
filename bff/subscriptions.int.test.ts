import { describe, expect, it } from "vitest";
import { subjects } from "../core/subjects.ts";
import { gql, take } from "./test-client.ts";
import { td } from "./test-hub.ts";
import { useTestHub } from "./use-test-hub.ts";

const hub = useTestHub();

const failure = (user: string, query: string, variables: Record<string, unknown> = {}) =>
  take(hub().url, hub().tokens[user], query, variables, 1).then(
    () => "no error",
    (e: unknown) => (e instanceof Error ? e.message : JSON.stringify(e)),
  );

describe("actionProgress", () => {
  const PROGRESS = `subscription($id: ID!, $since: Since) { actionProgress(actionId: $id, since: $since) { seq state output } }`;
  const step = (id: string, state: "queued" | "delivered" | "completed", data: object = {}) => ({
    subject: subjects.actionState(id, state),
    type: `spokes.Action${state[0]?.toUpperCase()}${state.slice(1)}`,
    data: { thing: "lamp-1", name: "toggle", ...data },
  });

  async function invoke() {
    const r = await gql(
      hub().url,
      `mutation { invokeAction(thing: "lamp-1", name: "toggle") { ... on ActionInvocation { actionId seq } } }`,
      {},
      hub().tokens.otto,
    );
    return r.data?.invokeAction as { actionId: string; seq: number };
  }

  it("replays the steps since the request, then follows live ones, and ends after the final one", async () => {
    const { actionId, seq } = await invoke();
    const early = await hub().log.appendMany([step(actionId, "queued"), step(actionId, "delivered")]);
    const late = hub().log.append(step(actionId, "completed", { output: "on" }));
    // Asks for more than there are: the subscription must end by itself after `completed`.
    const steps = await take<{ seq: number; state: string; output: unknown }>(
      hub().url,
      hub().tokens.vera,
      PROGRESS,
      { id: actionId, since: { seq } },
      10,
      () => late,
    );
    expect(steps.map((s) => s.state)).toEqual(["QUEUED", "DELIVERED", "COMPLETED"]);
    expect(steps.map((s) => s.seq)).toEqual([...early.map((e) => e.seq), (await late).seq]);
    expect(steps[2]?.output).toBe("on");
  });

  it("refuses an action of a Thing the caller may not see, and an unknown action", async () => {
    const { actionId } = await invoke();
    expect(await failure("gary", PROGRESS, { id: actionId })).toMatch(/no action/);
    expect(await failure("vera", PROGRESS, { id: "no-such-action" })).toMatch(/no action/);
  });
});

describe("thingDescriptions", () => {
  const TDS = `subscription($thing: ID, $since: Since) { thingDescriptions(thing: $thing, since: $since) { thing removed td } }`;
  type Change = { thing: string; removed: boolean; td: { title: string } | null };

  it("replays and follows TD changes of only the Things the caller may see", async () => {
    const changes = () =>
      hub().log.appendMany([
        {
          subject: subjects.thingTd("lamp-2"),
          type: "spokes.ThingDescribed",
          data: td("lamp-2", "Garage lamp v2", "Light"),
        },
        {
          subject: subjects.thingTd("lamp-1"),
          type: "spokes.ThingDescribed",
          data: td("lamp-1", "Kitchen lamp v2", "Light"),
        },
        { subject: subjects.thingRemoved("lamp-1"), type: "spokes.ThingRemoved", data: {} },
      ]);
    const seen = await take<Change>(hub().url, hub().tokens.vera, TDS, { since: { seq: 1 } }, 3, changes);
    expect(seen.map((c) => [c.thing, c.removed, c.td?.title ?? null])).toEqual([
      ["lamp-1", false, "Kitchen lamp"],
      ["lamp-1", false, "Kitchen lamp v2"],
      ["lamp-1", true, null],
    ]);
  });

  it("shows administrators every Thing's changes", async () => {
    const seen = await take<Change>(hub().url, hub().tokens.admin, TDS, { since: { seq: 1 } }, 3);
    expect(seen.map((c) => c.thing)).toEqual(["lamp-1", "lamp-2", "meter-9"]);
  });

  it("follows one Thing, and refuses one the caller may not see", async () => {
    const seen = await take<Change>(hub().url, hub().tokens.gary, TDS, { thing: "lamp-2", since: { seq: 1 } }, 2);
    expect(seen.map((c) => c.td?.title)).toEqual(["Garage lamp", "Garage lamp v2"]);
    expect(await failure("vera", TDS, { thing: "lamp-2" })).toMatch(/no Thing/);
  });
});
