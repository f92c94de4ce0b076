import { describe, expect, it } from "vitest";
import { NotFoundError } from "../../../core/errors.ts";
import type { Registration } from "./registrations.ts";
import { RequestQueue } from "./request-queue.ts";

function setup(queueMode: boolean) {
  let now = 1000;
  const reg = { id: "r1", endpoint: "dev", queueMode, awakeUntil: 0 } as Registration;
  let registered: Registration | undefined = reg;
  const queue = new RequestQueue({ now: () => now, registration: () => registered });
  return {
    queue,
    reg,
    at: (t: number) => {
      now = t;
    },
    unregister: () => {
      registered = undefined;
    },
  };
}

describe("RequestQueue", () => {
  it("Given a client in U mode, when a request comes, then it goes out at once", async () => {
    const { queue } = setup(false);
    await expect(queue.perform("dev", async () => "sent")).resolves.toBe("sent");
  });

  it("Given a queue-mode client asleep, when requests come, then they wait and go out one at a time in order once it wakes", async () => {
    const { queue, reg, at } = setup(true);
    const order: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const job = (name: string) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 5));
      order.push(name);
      running--;
      return name;
    };
    const a = queue.perform("dev", job("a"));
    const b = queue.perform("dev", job("b"));
    expect(queue.waiting("dev")).toBe(2);
    at(2000);
    reg.awakeUntil = 5000;
    queue.pump("dev");
    await expect(Promise.all([a, b])).resolves.toEqual(["a", "b"]);
    expect(order).toEqual(["a", "b"]);
    expect(maxRunning).toBe(1);
  });

  it("Given a waiting request with an expiry, when the time passes before the client wakes, then it is dropped unsent", async () => {
    const { queue, at } = setup(true);
    let sent = false;
    const p = queue.perform(
      "dev",
      async () => {
        sent = true;
      },
      { whenOffline: "fail", expiresAt: 1500 },
    );
    at(1600);
    queue.sweep();
    await expect(p).rejects.toBeInstanceOf(NotFoundError);
    expect(sent).toBe(false);
  });

  it("Given no registration, when a request must not wait, then it fails with NotFoundError", async () => {
    const { queue, unregister } = setup(false);
    unregister();
    await expect(queue.perform("dev", async () => 1)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("When the server stops, then waiting requests are rejected", async () => {
    const { queue } = setup(true);
    const p = queue.perform("dev", async () => 1);
    queue.clear(new Error("stopped"));
    await expect(p).rejects.toThrow("stopped");
  });
});
