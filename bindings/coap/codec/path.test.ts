import { describe, expect, it } from "vitest";
import { formatPath, isUnder, parsePath, pathLevel } from "./path.ts";
import { codecErrorOf } from "./testing.ts";

describe("LwM2M paths", () => {
  it.each([
    ["/3", "object", { objectId: 3 }],
    ["/3/0", "object-instance", { objectId: 3, instanceId: 0 }],
    ["/3303/0/5700", "resource", { objectId: 3303, instanceId: 0, resourceId: 5700 }],
    ["/3/0/6/1", "resource-instance", { objectId: 3, instanceId: 0, resourceId: 6, resourceInstanceId: 1 }],
    [
      "/65535/65534/65535/65535",
      "resource-instance",
      { objectId: 65535, instanceId: 65534, resourceId: 65535, resourceInstanceId: 65535 },
    ],
  ])("%s is a %s and formats back", (text, level, path) => {
    expect(parsePath(text)).toEqual(path);
    expect(pathLevel(parsePath(text))).toBe(level);
    expect(formatPath(parsePath(text))).toBe(text);
  });

  it.each([
    "",
    "/",
    "3/0",
    "/3/",
    "//3",
    "/3/0/1/2/3",
    "/03",
    "/-1",
    "/3/x",
    "/1e3",
    "/3/65535",
    "/65536",
    "/3/0/ 1",
    "/3.0",
  ])("refuses %j", (text) => {
    expect(codecErrorOf(() => parsePath(text)).code).toBe("bad-path");
  });

  it("knows which paths lie under which", () => {
    expect(isUnder(parsePath("/3/0/6/1"), parsePath("/3/0"))).toBe(true);
    expect(isUnder(parsePath("/3/0"), parsePath("/3/0"))).toBe(true);
    expect(isUnder(parsePath("/3/1/6"), parsePath("/3/0"))).toBe(false);
    expect(isUnder(parsePath("/3"), parsePath("/3/0"))).toBe(false);
  });
});
