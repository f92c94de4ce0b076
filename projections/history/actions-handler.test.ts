import { describe, expect, it } from "vitest";
import { subjects } from "../../core/subjects.ts";
import { event } from "../fixtures.ts";
import { handleActions } from "./actions-handler.ts";

const requested = (seq: number) =>
  event(seq, subjects.actionRequest("lamp", "toggle"), "spokes.ActionRequested", {
    actionId: "a1",
    input: { on: true },
    ttlMs: 60_000,
    requestedBy: "alice",
  });
const step = (seq: number, state: "queued" | "delivered" | "completed" | "failed", extra: object = {}) =>
  event(seq, subjects.actionState("a1", state), `spokes.Action${state[0]?.toUpperCase()}${state.slice(1)}`, {
    thing: "lamp",
    name: "toggle",
    ...extra,
  });

describe("action history handler", () => {
  it("Given a request and its whole life in one batch, When handled, Then one action in its last state and every step", () => {
    const { actions, steps } = handleActions([
      requested(1),
      step(2, "queued"),
      step(3, "delivered", { via: "mqtt" }),
      step(4, "completed", { output: { ok: 1 } }),
    ]);
    expect(actions).toEqual([
      expect.objectContaining({
        actionId: "a1",
        thing: "lamp",
        input: { on: true },
        requestedBy: "alice",
        state: "completed",
        output: { ok: 1 },
        stateSeq: 4,
      }),
    ]);
    expect(steps.map((s) => [s.seq, s.state, s.detail])).toEqual([
      [1, "requested", null],
      [2, "queued", {}],
      [3, "delivered", { via: "mqtt" }],
      [4, "completed", { output: { ok: 1 } }],
    ]);
  });

  it("Given a step whose request is not in the batch, When handled, Then the action is known from the step", () => {
    const { actions } = handleActions([step(9, "failed", { error: "timeout" })]);
    expect(actions).toEqual([
      expect.objectContaining({ actionId: "a1", thing: "lamp", name: "toggle", state: "failed", error: "timeout" }),
    ]);
  });
});
