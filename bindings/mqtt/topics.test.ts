import { describe, expect, it } from "vitest";
import { ValidationError } from "../../core/errors.ts";
import { actionTopic, errorsTopic, filterCovers, parsePublishTopic, parseSubscribeFilter } from "./topics.ts";

describe("device publish topics", () => {
  it.each([
    ["things/lamp-1/td", { kind: "td", thing: "lamp-1" }],
    ["things/urn:dev:lamp/event/overheated", { kind: "event", thing: "urn:dev:lamp", name: "overheated" }],
    ["things/lamp~2Ekitchen/property/on", { kind: "property", thing: "lamp.kitchen", name: "on" }],
    ["things/lamp-1/action-status/dim", { kind: "action-status", thing: "lamp-1", name: "dim" }],
  ])("Given %s, when parsed, then it names %o", (topic, expected) => {
    expect(parsePublishTopic(topic)).toEqual(expected);
  });

  it.each([
    ["", "empty"],
    ["things/lamp-1", "too short"],
    ["things/lamp-1/td/extra", "too long"],
    ["things/lamp-1/action/dim", "actions are the hub's to publish"],
    ["things/lamp.kitchen/event/x", "an id that is not encoded"],
    ["things/lamp~2ekitchen/event/x", "an encoding that is not canonical"],
    ["devices/d1/presence", "not a device topic"],
    ["things//event/x", "an empty id"],
    ["$SYS/broker/load", "a system topic"],
  ])("Given %s (%s), when parsed, then it is a ValidationError", (topic) => {
    expect(() => parsePublishTopic(topic)).toThrow(ValidationError);
  });
});

describe("device subscription filters", () => {
  it("Given an action filter with a name or +, when parsed, then it names the Thing and the action", () => {
    expect(parseSubscribeFilter("things/lamp-1/action/dim")).toEqual({ kind: "actions", thing: "lamp-1", name: "dim" });
    expect(parseSubscribeFilter("things/lamp-1/action/+")).toEqual({ kind: "actions", thing: "lamp-1" });
    expect(parseSubscribeFilter("devices/dev~2F1/errors")).toEqual({ kind: "errors", device: "dev/1" });
  });

  it.each([
    "#",
    "things/#",
    "things/+/action/+",
    "things/lamp-1/action/#",
    "things/lamp-1/event/+",
    "things/lamp-1/td",
  ])("Given %s, when parsed, then devices may not subscribe to it", (filter) => {
    expect(() => parseSubscribeFilter(filter)).toThrow(ValidationError);
  });

  it("Given a filter, when asked about an action topic, then + covers every name of that Thing only", () => {
    const all = parseSubscribeFilter("things/lamp-1/action/+");
    expect(filterCovers(all, "lamp-1", "dim")).toBe(true);
    expect(filterCovers(all, "lamp-2", "dim")).toBe(false);
    expect(filterCovers(parseSubscribeFilter("things/lamp-1/action/dim"), "lamp-1", "toggle")).toBe(false);
  });

  it("Given ids with dots and slashes, when topics are built, then each id is one encoded level", () => {
    expect(actionTopic("lamp.kitchen", "writeproperty:level")).toBe("things/lamp~2Ekitchen/action/writeproperty:level");
    expect(errorsTopic("site/7")).toBe("devices/site~2F7/errors");
  });
});

describe("parsePublishTopic remembers valid topics", () => {
  it("Given a topic parsed before, When parsed again, Then the same frozen answer comes back", () => {
    const first = parsePublishTopic("things/lamp-7/event/reading");
    expect(parsePublishTopic("things/lamp-7/event/reading")).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first).toEqual({ kind: "event", thing: "lamp-7", name: "reading" });
  });

  it("Given an invalid topic, When parsed twice, Then it is refused both times", () => {
    expect(() => parsePublishTopic("things/lamp-7/bogus/x")).toThrow(ValidationError);
    expect(() => parsePublishTopic("things/lamp-7/bogus/x")).toThrow(ValidationError);
  });
});
