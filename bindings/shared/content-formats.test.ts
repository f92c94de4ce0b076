import { describe, expect, it } from "vitest";
import { contentFormatOf } from "./content-formats.ts";

describe("Content-Format numbers of media types", () => {
  it.each<[string, number | undefined]>([
    ["application/vnd.oma.lwm2m+tlv", 11542],
    ["application/senml+cbor", 112],
    ["application/json; charset=utf-8", 50],
    ["text/html", undefined],
  ])("Given %s, When looked up, Then its number is %s", (mediaType, number) => {
    expect(contentFormatOf(mediaType)).toBe(number);
  });
});
