import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

describe("docs/schema.graphql", () => {
  it("matches the schema the code builds (regenerate: node bff/print-schema.ts > docs/schema.graphql)", {
    timeout: 60_000,
  }, () => {
    // Printed in a child process: the test runner may load a second copy of graphql that Pothos does not use.
    const printed = execFileSync(process.execPath, [resolve(import.meta.dirname, "print-schema.ts")], {
      encoding: "utf8",
    });
    const committed = readFileSync(resolve(import.meta.dirname, "..", "docs", "schema.graphql"), "utf8");
    expect(printed).toBe(committed);
  });
});
