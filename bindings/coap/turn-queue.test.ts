import { describe, expect, it } from "vitest";
import { ValidationError } from "../../core/errors.ts";
import { TurnQueue } from "./turn-queue.ts";

describe("TurnQueue", () => {
  it("Given calls deferred in one turn, when the turn ends, then they run together in call order and none ran before", async () => {
    const queue = new TurnQueue();
    const ran: string[] = [];
    const call = (name: string) =>
      queue.defer(async () => {
        ran.push(name);
        return name;
      });
    const settled = [call("a"), call("b"), call("c")];
    await Promise.resolve();
    expect(ran).toEqual([]);
    await expect(Promise.all(settled)).resolves.toEqual(["a", "b", "c"]);
    expect(ran).toEqual(["a", "b", "c"]);
  });

  it("Given a call that rejects and one that throws before its promise, when the turn ends, then each fails alone and its neighbours still settle", async () => {
    const queue = new TurnQueue();
    const rejects = queue.defer(() => Promise.reject(new ValidationError("bad value")));
    const throws = queue.defer((): Promise<string> => {
      throw new ValidationError("bad request");
    });
    const fine = queue.defer(async () => "stored");
    await expect(rejects).rejects.toThrow("bad value");
    await expect(throws).rejects.toThrow("bad request");
    await expect(fine).resolves.toBe("stored");
  });

  it("Given a turn already flushed, when more calls come in a later turn, then they run in that later turn", async () => {
    const queue = new TurnQueue();
    await expect(queue.defer(async () => 1)).resolves.toBe(1);
    await expect(queue.defer(async () => 2)).resolves.toBe(2);
  });
});
