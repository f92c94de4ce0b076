import { describe, expect, it } from "vitest";
import { copyCell } from "./database.ts";

describe("copyCell", () => {
  it("Given null or undefined, Then it is COPY's \\N", () => {
    expect(copyCell(null)).toBe("\\N");
    expect(copyCell(undefined)).toBe("\\N");
  });
  it("Given plain text or a number, Then it is unchanged", () => {
    expect(copyCell("meter-1")).toBe("meter-1");
    expect(copyCell(42)).toBe("42");
    expect(copyCell('{"a":"N"}')).toBe('{"a":"N"}');
  });
  it("Given backslash, tab, newline or carriage return, Then each is escaped", () => {
    expect(copyCell('{"a":"x\\"y\\\\z"}')).toBe('{"a":"x\\\\"y\\\\\\\\z"}');
    expect(copyCell("a\tb\nc\rd\\N")).toBe("a\\tb\\nc\\rd\\\\N");
  });
});
