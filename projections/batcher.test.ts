import { describe, expect, it } from "vitest";
import { Batcher } from "./batcher.ts";
import { chunks, rowsPerStatement } from "./db/bulk-insert.ts";

async function* slowly(items: number[], gapMs: number) {
  for (const i of items) {
    yield i;
    await new Promise((r) => setTimeout(r, gapMs));
  }
}

describe("batcher", () => {
  it("Given a fast source, When batches are taken, Then they are full and in order", async () => {
    const b = new Batcher(slowly([1, 2, 3, 4, 5], 0));
    await new Promise((r) => setTimeout(r, 20));
    expect(await b.next(2, 1000)).toEqual([1, 2]);
    expect(await b.next(2, 1000)).toEqual([3, 4]);
    expect(await b.next(2, 1000)).toEqual([5]);
    expect(await b.next(2, 1000)).toBeUndefined();
  });

  it("Given a slow source, When the wait runs out, Then a partial batch is handed out", async () => {
    const b = new Batcher(slowly([1, 2, 3], 200));
    expect(await b.next(10, 20)).toEqual([1]);
  });
});

describe("bulk insert sizing", () => {
  it("keeps rows × columns under 65,535 parameters", () => {
    for (const cols of [1, 7, 13, 100, 70_000])
      expect(rowsPerStatement(cols, 1e9) * Math.min(cols, 65_535)).toBeLessThanOrEqual(65_535);
    expect(rowsPerStatement(7)).toBe(5000);
  });

  it("splits rows into chunks", () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });
});
