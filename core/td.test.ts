import { describe, expect, it } from "vitest";
import { thingDescription, typesOf } from "./td.ts";

const minimal = { id: "urn:dev:ops:lamp-1", title: "Lamp" };

describe("thingDescription accepts", () => {
  it.each([
    ["a minimal TD: an id and a title", minimal],
    [
      "the TD 1.1 context and a semantic type",
      { ...minimal, "@context": "https://www.w3.org/2022/wot/td/v1.1", "@type": "saref:LightSwitch" },
    ],
    [
      "an @context array with a prefix map",
      {
        ...minimal,
        "@context": [
          "https://www.w3.org/2022/wot/td/v1.1",
          { saref: "https://w3id.org/saref#" },
          { "@language": "en" },
        ],
        "@type": ["saref:LightSwitch", "Thing"],
      },
    ],
    [
      "properties, actions and events with forms",
      {
        ...minimal,
        titles: { en: "Lamp", de: "Lampe" },
        properties: {
          on: { type: "boolean", observable: true, forms: [{ href: "things/lamp/property/on", op: "readproperty" }] },
          brightness: { type: "integer", minimum: 0, maximum: 100, unit: "percent", readOnly: false },
          mode: { type: "string", enum: ["eco", "full"] },
        },
        actions: {
          toggle: { safe: false, idempotent: false, forms: [{ href: "things/lamp/action/toggle" }] },
          fade: { input: { type: "object", properties: { to: { type: "integer" } }, required: ["to"] }, output: {} },
        },
        events: { overheated: { data: { type: "number", unit: "celsius" } } },
      },
    ],
    [
      "nested object and array schemas",
      {
        ...minimal,
        properties: {
          schedule: {
            type: "array",
            items: {
              type: "object",
              properties: { at: { type: "string" }, levels: { type: "array", items: [{ type: "integer" }, {}] } },
            },
          },
          reading: { oneOf: [{ type: "number" }, { type: "null" }] },
        },
      },
    ],
    [
      "security, links and a version",
      {
        ...minimal,
        securityDefinitions: { nosec_sc: { scheme: "nosec" } },
        security: "nosec_sc",
        links: [{ href: "https://example.com/manual", rel: "service-doc" }],
        version: { instance: "1.2.0", model: "A" },
      },
    ],
    [
      "affordance names with dots, spaces and non-ASCII letters",
      { ...minimal, properties: { "temp.inside": {}, "Helligkeit (%)": {}, 温度: {} } },
    ],
    ["an id of exactly 256 characters", { ...minimal, id: "x".repeat(256) }],
  ])("%s", (_, td) => {
    const parsed = thingDescription.safeParse(td);
    expect(parsed.error?.issues).toBeUndefined();
    expect(parsed.data).toEqual(td);
  });

  it("keeps extensions it does not know, at every level", () => {
    const td = {
      ...minimal,
      "ex:vendor": { model: "L-1" },
      schemaDefinitions: { level: { type: "integer" } },
      properties: { on: { type: "boolean", "ex:register": 40001, forms: [{ href: "/on", "modv:function": "coil" }] } },
      actions: { toggle: { "ex:timeout": 5, input: { type: "object", "ex:hint": "x" } } },
      events: { overheated: { "ex:severity": "high" } },
    };
    expect(thingDescription.parse(td)).toEqual(td);
  });
});

describe("thingDescription rejects", () => {
  const base = minimal;
  it.each([
    ["something that is not an object", "lamp", [], "expected object"],
    ["a TD without an id", { title: "Lamp" }, ["id"], "expected string, received undefined"],
    ["an empty id", { ...base, id: "" }, ["id"], "expected string to have >=1 characters"],
    ["an id longer than 256 characters", { ...base, id: "x".repeat(257) }, ["id"], "<=256 characters"],
    ["a TD without a title", { id: base.id }, ["title"], "expected string, received undefined"],
    ["an empty title", { ...base, title: "" }, ["title"], "expected string to have >=1 characters"],
    ["an empty @context array", { ...base, "@context": [] }, ["@context"], "expected array to have >=1 items"],
    [
      'a property of type "float"',
      { ...base, properties: { temp: { type: "float" } } },
      ["properties", "temp", "type"],
      'expected one of "boolean"|"integer"|"number"|"string"|"object"|"array"|"null"',
    ],
    [
      "an empty enum",
      { ...base, properties: { mode: { type: "string", enum: [] } } },
      ["properties", "mode", "enum"],
      "expected array to have >=1 items",
    ],
    [
      "a bad type deep in an object schema",
      { ...base, events: { e: { data: { type: "object", properties: { a: { type: "float" } } } } } },
      ["events", "e", "data", "properties", "a", "type"],
      "Invalid option",
    ],
    [
      "a bad type in an array's items",
      { ...base, properties: { list: { type: "array", items: { type: "float" } } } },
      ["properties", "list", "items"],
      "Invalid input",
    ],
    [
      "an action input that is not an object",
      { ...base, actions: { fade: { input: "integer" } } },
      ["actions", "fade", "input"],
      "expected object, received string",
    ],
    [
      "an observable flag that is not a boolean",
      { ...base, properties: { on: { observable: "yes" } } },
      ["properties", "on", "observable"],
      "expected boolean, received string",
    ],
    [
      "a form without an href",
      { ...base, properties: { on: { forms: [{ op: "readproperty" }] } } },
      ["properties", "on", "forms", 0, "href"],
      "expected string, received undefined",
    ],
    [
      "an affordance name with a control character",
      { ...base, events: { "over\u0007heated": {} } },
      ["events", "over\u0007heated"],
      "Invalid key in record",
    ],
    ["an empty affordance name", { ...base, actions: { "": {} } }, ["actions", ""], "Invalid key in record"],
    [
      "an affordance name longer than 128 characters",
      { ...base, properties: { ["p".repeat(129)]: {} } },
      ["properties", "p".repeat(129)],
      "Invalid key in record",
    ],
    [
      "a security definition without a scheme",
      { ...base, securityDefinitions: { basic_sc: { in: "header" } } },
      ["securityDefinitions", "basic_sc", "scheme"],
      "expected string, received undefined",
    ],
  ])("%s", (_, td, path, message) => {
    const parsed = thingDescription.safeParse(td);
    expect(parsed.success).toBe(false);
    const issue = parsed.error?.issues[0];
    expect(issue?.path).toEqual(path);
    expect(issue?.message).toContain(message);
  });
});

describe("typesOf", () => {
  it.each([
    ["no @type", minimal, []],
    ["one @type", { ...minimal, "@type": "saref:LightSwitch" }, ["saref:LightSwitch"]],
    ["several", { ...minimal, "@type": ["saref:LightSwitch", "Thing"] }, ["saref:LightSwitch", "Thing"]],
  ])("lists %s as an array", (_, td, types) => {
    expect(typesOf(thingDescription.parse(td))).toEqual(types);
  });
});
