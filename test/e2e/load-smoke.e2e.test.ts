/**
 * The load scenarios must not rot: run every one for a few seconds through the load driver (the hub started with
 * `spokes start`, the baselines beside it) and check that each ran without a single error. Speed is not judged
 * here; `npm run load` measures it.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findK6, runToEnd } from "../../load-tests/support/processes.ts";
import type { Row } from "../../load-tests/support/report.ts";
import { ROOT } from "../harness/cli.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const SCENARIOS = [
  "graphql-queries",
  "http-ingest",
  "graphql-subscriptions",
  "action-round-trip",
  "action-round-trip-mqtt",
  "mqtt-ingest (k6, WebSocket)",
  "mqtt-ingest (Node driver, TCP)",
];

describe("the load scenarios in smoke mode", () => {
  it("Given the hub and its baselines, When every scenario runs for a few seconds, Then each ran with 0 errors on both sides", async () => {
    expect(findK6(), "k6 is installed by `bash scripts/setup.sh k6`").toBeDefined();
    const out = await mkdtemp(join(tmpdir(), "spokes-load-smoke-"));
    dirs.push(out);
    const json = join(out, "result.json");
    const node = join(ROOT, "node_modules", ".bin", "node");
    const run = await runToEnd(
      [node, join(ROOT, "load-tests", "run.ts"), "--smoke", "--out", out, "--json", json],
      540_000,
    );
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(existsSync(json)).toBe(true);
    const rows = (JSON.parse(await readFile(json, "utf8")) as { rows: Row[] }).rows;

    expect([...new Set(rows.map((r) => r.scenario))]).toEqual(expect.arrayContaining(SCENARIOS));
    expect(rows.filter((r) => r.status === "failed")).toEqual([]);
    for (const r of rows) {
      const where = `${r.scenario}: ${r.measure}`;
      // The hub serves every endpoint the scenarios use (GraphQL, device HTTP and MQTT): none may be missing.
      expect(r.status, `${where} ${r.note ?? ""}`).toBe("ran");
      expect(r.value, where).toBeGreaterThan(0);
      if ("errors" in r) expect(r.errors, where).toBe(0);
      // The ceiling runs too, on every row that has one; a baseline that errs would measure nothing.
      if ("ceilingErrors" in r) expect(r.ceilingErrors, where).toBe(0);
      if (r.ceiling) expect(r.ceiling.value, where).toBeGreaterThan(0);
    }
  }, 600_000);
});
