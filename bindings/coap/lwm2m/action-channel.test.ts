import { describe, expect, it } from "vitest";
import { NotFoundError } from "../../../core/errors.ts";
import type { ActionReply } from "../../actions/dispatcher.ts";
import { objectRegistry } from "../objects/index.ts";
import { Lwm2mActionChannel, operationOf } from "./action-channel.ts";
import type { DeviceManagement } from "./device-management.ts";
import { DeviceSilentError } from "./device-requests.ts";

const action = (actionId: string, thing: string, name: string, input?: unknown) => ({
  actionId,
  thing,
  name,
  ...(input === undefined ? {} : { input }),
  requestedAt: "2026-11-22T00:00:00Z",
});

describe("operationOf", () => {
  it.each([
    ["dev/3311/0", "writeproperty:dimmer", { kind: "write", endpoint: "dev", path: "/3311/0/5851" }],
    ["dev/3/0", "reboot", { kind: "execute", endpoint: "dev", path: "/3/0/4" }],
    ["dev/3303/0", "readproperty:sensor-value", { kind: "read", endpoint: "dev", path: "/3303/0/5700" }],
    ["dev/40000/1", "writeproperty:resource-7", { kind: "write", endpoint: "dev", path: "/40000/1/7" }],
    ["dev/3311/0", "writeproperty:nonsense", undefined],
    ["urn:not-lwm2m", "reboot", undefined],
  ])("%s %s", (thing, name, op) => {
    expect(operationOf({ thing, name }, objectRegistry)).toEqual(op);
  });
});

/** What the channel asked the device to do; each call answers as `answer` says. */
function management(answer: (path: string) => Error | undefined) {
  const calls: string[] = [];
  const m = {
    writeValue: async (_e: string, path: string, value: unknown) => {
      calls.push(`write ${path} ${JSON.stringify(value)}`);
      const err = answer(path);
      if (err) throw err;
    },
    execute: async (_e: string, path: string) => {
      calls.push(`execute ${path}`);
      const err = answer(path);
      if (err) throw err;
    },
  } as unknown as DeviceManagement;
  return { m, calls };
}

/** A channel for endpoint "dev" over {@link management}, with the replies it gave. */
function channelFor(answer: (path: string) => Error | undefined) {
  const { m, calls } = management(answer);
  const replies: ActionReply[] = [];
  const channel = new Lwm2mActionChannel({
    endpoint: "dev",
    management: m,
    registry: objectRegistry,
    reply: (r) => replies.push(r),
  });
  return { channel, calls, replies };
}

describe("Lwm2mActionChannel", () => {
  it("Given two actions, when the client answers both, then both count as delivered and the replies come after", async () => {
    const { channel, calls, replies } = channelFor((path) =>
      path === "/3/0/4" ? new NotFoundError("x (4.04)") : undefined,
    );
    const delivered = await channel.deliver([
      action("a1", "dev/3311/0", "writeproperty:dimmer", 40),
      action("a2", "dev/3/0", "reboot"),
    ]);
    expect(delivered).toBe(2);
    expect(calls).toEqual(["write /3311/0/5851 40", "execute /3/0/4"]);
    expect(replies).toEqual([]);
    await new Promise((r) => setTimeout(r, 0));
    expect(replies).toEqual([
      { actionId: "a1", status: "completed" },
      { actionId: "a2", status: "failed", error: "x (4.04)" },
    ]);
  });

  it("Given a client that does not answer, then delivery stops there and that action stays waiting", async () => {
    const { channel, replies } = channelFor(() => new DeviceSilentError("no answer"));
    expect(await channel.deliver([action("a1", "dev/3/0", "reboot"), action("a2", "dev/3/0", "reboot")])).toBe(0);
    await new Promise((r) => setTimeout(r, 0));
    expect(replies).toEqual([]);
  });

  it("accepts only actions for its own endpoint's Things", () => {
    const { channel } = channelFor(() => undefined);
    expect(channel.accepts(action("a", "dev/3/0", "reboot"))).toBe(true);
    expect(channel.accepts(action("a", "other/3/0", "reboot"))).toBe(false);
  });
});
