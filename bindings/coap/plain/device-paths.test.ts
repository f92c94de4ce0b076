import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../core/errors.ts";
import { matchPlainPath, methodOf } from "./device-paths.ts";

describe("plain-CoAP device paths", () => {
  it.each([
    ["PUT", ["things", "urn:x:1", "td"], { op: "fact", method: "PUT", fact: { kind: "td", thing: "urn:x:1" } }],
    ["GET", ["things", "urn:x:1", "td"], { op: "read-td", thing: "urn:x:1" }],
    [
      "POST",
      ["things", "a/b", "event", "hot"],
      { op: "fact", method: "POST", fact: { kind: "event", thing: "a/b", name: "hot" } },
    ],
    [
      "PUT",
      ["things", "t", "property", "level"],
      { op: "fact", method: "PUT", fact: { kind: "property", thing: "t", name: "level" } },
    ],
    ["GET", ["devices", "d1", "actions"], { op: "actions", device: "d1" }],
    ["POST", ["actions", "a1", "status"], { op: "status", actionId: "a1" }],
  ])("%s /%s", (method, path, route) => {
    expect(matchPlainPath(method, path)).toEqual(route);
  });

  it.each([[["rd"]], [["things"]], [["things", "t", "action", "x"]], [["devices", "d"]], [[]]])(
    "/%s is not a device path",
    (path) => {
      expect(matchPlainPath("GET", path)).toBeUndefined();
    },
  );

  it.each([[["things", "", "td"]], [["things", "x".repeat(257), "td"]], [["actions", "\uD800", "status"]]])(
    "refuses a bad id in /%s",
    (path) => {
      expect(() => matchPlainPath("POST", path)).toThrow(ValidationError);
    },
  );

  it("events take POST, properties PUT, action lists GET", () => {
    const method = (p: string[], m = "X") =>
      methodOf(matchPlainPath(m, p) as NonNullable<ReturnType<typeof matchPlainPath>>);
    expect(method(["things", "t", "event", "e"])).toBe("POST");
    expect(method(["things", "t", "property", "p"])).toBe("PUT");
    expect(method(["devices", "d", "actions"])).toBe("GET");
  });
});
