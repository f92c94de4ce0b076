import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES } from "./config.ts";
import { EVENT_TYPES } from "./messages.ts";
import { STREAM_SUBJECTS } from "./subjects.ts";

const read = (path: string) => readFileSync(new URL(`../docs/reference/${path}`, import.meta.url), "utf8");

describe("the reference docs stay true", () => {
  it("docs/reference/config.md describes every configuration variable and no other", () => {
    const doc = read("config.md");
    const documented = [...doc.matchAll(/^\| `(SPOKES_[A-Z0-9_]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it("docs/reference/subjects.md names every stream subject and event type", () => {
    const doc = read("subjects.md");
    for (const [stream, patterns] of Object.entries(STREAM_SUBJECTS)) {
      const row = doc.split("\n").find((line) => line.startsWith(`| \`${stream}\``)) ?? "";
      for (const p of patterns) {
        const written = new RegExp(`\`${p.replaceAll(".", "\\.").replaceAll("*", "\\{[a-zA-Z]+\\}")}\``);
        expect(row, `${stream} ${p}`).toMatch(written);
      }
    }
    for (const type of EVENT_TYPES) expect(doc, type).toContain(`\`${type}\``);
  });
});
