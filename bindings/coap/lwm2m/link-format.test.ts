import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../../core/errors.ts";
import { announcedInstances, formatLinkFormat, parseLinkFormat } from "./link-format.ts";

describe("parseLinkFormat", () => {
  it.each([
    ["", []],
    ["</1/0>", [{ target: "/1/0", attributes: {} }]],
    [
      '</>;rt="oma.lwm2m";ct=11543,</3/0>',
      [
        { target: "/", attributes: { rt: "oma.lwm2m", ct: "11543" } },
        { target: "/3/0", attributes: {} },
      ],
    ],
    [
      "</3303>;ver=1.1, </3303/0>",
      [
        { target: "/3303", attributes: { ver: "1.1" } },
        { target: "/3303/0", attributes: {} },
      ],
    ],
    ["</3/0/5700>;pmin=10;obs", [{ target: "/3/0/5700", attributes: { pmin: "10", obs: "" } }]],
  ])("reads %j", (text, links) => {
    expect(parseLinkFormat(text)).toEqual(links);
  });

  it.each([
    ["no angle brackets", "/3/0"],
    ["an unclosed target", "</3/0"],
    ["an empty target", "<>"],
    ["a missing comma", "</1/0></3/0>"],
    ["an unclosed quote", '</>;rt="oma'],
    ["an attribute without a name", "</1/0>;=1"],
    ["a repeated attribute", "</1/0>;ver=1.0;ver=1.1"],
    ["a trailing comma", "</1/0>,"],
  ])("refuses %s", (_what, text) => {
    expect(() => parseLinkFormat(text)).toThrow(ValidationError);
  });

  it("Given any text, then it parses or throws ValidationError and nothing else", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseLinkFormat(text);
        } catch (err) {
          expect(err).toBeInstanceOf(ValidationError);
        }
      }),
    );
  });

  it("Given links it formatted, then it reads the same links back", () => {
    const attr = fc.dictionary(
      fc.constantFrom("ver", "pmin", "rt", "obs"),
      fc.constantFrom("", "1.1", "10", "oma.lwm2m"),
    );
    const link = fc.record({ target: fc.constantFrom("/", "/1/0", "/3/0", "/3303/0/5700"), attributes: attr });
    fc.assert(
      fc.property(fc.array(link, { maxLength: 8 }), (links) => {
        expect(parseLinkFormat(formatLinkFormat(links))).toEqual(links);
      }),
    );
  });
});

describe("announcedInstances", () => {
  it("lists object instances with the object versions, below the root the client declared", () => {
    const links = parseLinkFormat(
      '</lwm2m>;rt="oma.lwm2m",</lwm2m/1/0>,</lwm2m/3303>;ver=1.1,</lwm2m/3303/0>,</lwm2m/3303/1>,</4>',
    );
    expect(announcedInstances(links)).toEqual([
      { objectId: 1, instanceId: 0 },
      { objectId: 3303, instanceId: 0, version: "1.1" },
      { objectId: 3303, instanceId: 1, version: "1.1" },
    ]);
  });

  it("ignores objects without instances, resources, bad ids and repeats", () => {
    const links = parseLinkFormat("</3442>,</3/0/1>,</x/0>,</3/65535>,</99999/0>,</3/0>,</3/0>");
    expect(announcedInstances(links)).toEqual([{ objectId: 3, instanceId: 0 }]);
  });
});
