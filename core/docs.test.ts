import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES } from "./config.ts";
import { EVENT_TYPES } from "./messages.ts";
import { STREAM_SUBJECTS } from "./subjects.ts";

const read = (path: string) => readFileSync(new URL(`../docs/reference/${path}`, import.meta.url), "utf8");

describe("the reference docs stay true", () => {
  it("docs/reference/config.md describes every configuration variable and no other", () => {
    const doc = read("config.md");
    const documented = [...doc.matchAll(/^\| `(SPOKES_[A-Z_]+)`/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it("docs/reference/subjects.md names every stream subject and event type", () => {
    const doc = read("subjects.md");
    for (const patterns of Object.values(STREAM_SUBJECTS)) {
      for (const p of patterns) {
        const written = p.replace("things.*", "things.{thing}").replace(/\*/g, "{x}");
        expect(doc, p).toContain(written.split(".")[0]);
      }
    }
    for (const type of EVENT_TYPES) {
      const short = type.replace(/^spokes\.(Action|User|Group|Password|Member|Thing)?/, "");
      expect(doc.includes(type) || doc.includes(`…${short}`) || doc.includes(`…${type.slice(7)}`), type).toBe(true);
    }
  });
});
