import { describe, expect, it } from "vitest";
import { UnavailableError } from "./errors.ts";
import { checkServerVersion, parseVersion, REQUIRED_FEATURES } from "./nats-server-version.ts";

describe("parseVersion", () => {
  it.each([
    ["2.10.0", [2, 10, 0]],
    ["v2.11.4", [2, 11, 4]],
    [" 2.14.5 ", [2, 14, 5]],
    ["2.12.0-RC.3", [2, 12, 0]],
    ["2.10.22+build.7", [2, 10, 22]],
  ])("reads %j", (text, version) => {
    expect(parseVersion(text)).toEqual(version);
  });

  it.each(["", "garbage", "2", "2.10", "v.2.10.0", "two.ten.zero", "latest"])("cannot read %j", (text) => {
    expect(parseVersion(text)).toBeUndefined();
  });
});

describe("checkServerVersion", () => {
  it.each([
    ["2.10.29", "2.11.0", "subject filter"],
    ["2.9.10", "2.10.0", "several subject filters"],
    ["2.9.25", "2.10.0", "several subject filters"],
    ["2.8.4", "2.9.0", "direct get"],
    ["2.1.0", "2.2.0", "message dedup"],
    ["1.4.1", "2.2.0", "message dedup"],
  ])("refuses %s, naming the release it needs (%s) and why", (version, needed, feature) => {
    const check = () => checkServerVersion(version);
    expect(check).toThrow(UnavailableError);
    expect(check).toThrow(`nats-server ${version} is too old: Spokes needs ${needed} or later for`);
    expect(check).toThrow(feature);
    expect(check).toThrow("npm run setup");
  });

  it.each(["garbage", "", "2.10"])("refuses the unreadable version %j", (version) => {
    const check = () => checkServerVersion(version);
    expect(check).toThrow(UnavailableError);
    expect(check).toThrow(`nats-server reported an unreadable version "${version}"`);
  });

  it.each([
    ["2.11.0", { fastIngest: false, messageTtl: true }],
    ["2.13.9", { fastIngest: false, messageTtl: true }],
    ["2.14.0", { fastIngest: true, messageTtl: true }],
    ["2.14.5", { fastIngest: true, messageTtl: true }],
    ["3.0.0", { fastIngest: true, messageTtl: true }],
  ])("accepts %s with its optional features", (version, features) => {
    expect(checkServerVersion(version)).toEqual({ version, ...features });
  });

  it.each(REQUIRED_FEATURES)("refuses the release line just before $since, naming: $feature", ({ feature, since }) => {
    const [major, minor] = since;
    expect(() => checkServerVersion(`${major}.${minor - 1}.99`)).toThrow(feature);
  });
});
