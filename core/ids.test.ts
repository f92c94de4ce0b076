import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.ts";
import { decodeToken, encodeToken, MAX_ID_LENGTH } from "./ids.ts";

/** What must never appear in a token: NATS separators and wildcards, MQTT separators and wildcards, `$`, spaces. */
const FORBIDDEN = /[.*>/+#$\s]/u;

/** Code points that have tripped encoders before: separators, wildcards, the escape itself, a BOM, NUL, astral. */
const tricky = fc.constantFrom(".", "*", ">", "/", "+", "#", "$", "~", "%", " ", "\t", "\n", "\0", "\uFEFF", "é", "💡");

/** Well-formed ids of 1..256 UTF-16 code units: any code point, whole printable graphemes, or tricky ones mixed in. */
const anyId = fc
  .oneof(
    fc.string({ unit: "binary", minLength: 1, maxLength: MAX_ID_LENGTH, size: "medium" }),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: MAX_ID_LENGTH, size: "medium" }),
    fc.string({
      unit: fc.oneof(tricky, fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 })),
      minLength: 1,
    }),
  )
  .filter((id) => id.length <= MAX_ID_LENGTH);

function validationErrorOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error("expected a ValidationError, but nothing was thrown");
}

describe("encodeToken / decodeToken", () => {
  it.each([
    ["ASCII letters and digits", "Lamp42", "Lamp42"],
    ["`-`, `_` and `:` (URNs stay readable)", "urn:dev:ops:my-lamp_1", "urn:dev:ops:my-lamp_1"],
    ["dots", "lamp.1", "lamp~2E1"],
    ["spaces", "kitchen lamp", "kitchen~20lamp"],
    ["the NATS wildcard `*`", "a*b", "a~2Ab"],
    ["the NATS wildcard `>`", "a>b", "a~3Eb"],
    ["the MQTT separator `/`", "a/b", "a~2Fb"],
    ["the MQTT wildcard `+`", "a+b", "a~2Bb"],
    ["the MQTT wildcard `#`", "a#b", "a~23b"],
    ["`$` (reserved NATS and MQTT prefix)", "$SYS", "~24SYS"],
    ["the escape character `~` itself", "~41", "~7E41"],
    ["`%` (no confusion with URL escapes)", "100%", "100~25"],
    ["tabs and newlines", "a\tb\nc\r", "a~09b~0Ac~0D"],
    ["non-ASCII letters", "Küche", "K~C3~BCche"],
    ["CJK", "台所", "~E5~8F~B0~E6~89~80"],
    ["emoji from the astral plane", "💡", "~F0~9F~92~A1"],
    ["a byte-order mark at the start of a run of escapes", "\uFEFFlamp", "~EF~BB~BFlamp"],
    ["a byte-order mark after a safe character", "a\uFEFF", "a~EF~BB~BF"],
    ["a URN with dots", "urn:uuid:0a1b.2c3d", "urn:uuid:0a1b~2E2c3d"],
    [
      "a URL with a query string",
      "https://example.com/things/lamp?room=kitchen&x=1#top",
      "https:~2F~2Fexample~2Ecom~2Fthings~2Flamp~3Froom~3Dkitchen~26x~3D1~23top",
    ],
  ])("round-trips %s", (_, id, token) => {
    expect(encodeToken(id)).toBe(token);
    expect(decodeToken(token)).toBe(id);
  });

  it("accepts an id of exactly 256 characters, astral or not", () => {
    for (const id of ["x".repeat(MAX_ID_LENGTH), "💡".repeat(MAX_ID_LENGTH / 2)]) {
      expect(decodeToken(encodeToken(id))).toBe(id);
    }
  });

  it("round-trips any well-formed id (property)", () => {
    fc.assert(fc.property(anyId, (id) => decodeToken(encodeToken(id)) === id));
  });

  it("never yields a character that is special in a NATS subject or an MQTT topic (property)", () => {
    fc.assert(
      fc.property(anyId, (id) => {
        const token = encodeToken(id);
        expect(token).not.toMatch(FORBIDDEN);
        expect(token).toMatch(/^[A-Za-z0-9_:~-]+$/);
      }),
    );
  });

  it("gives different tokens to different ids (property)", () => {
    fc.assert(
      fc.property(anyId, anyId, (a, b) => {
        fc.pre(a !== b);
        expect(encodeToken(a)).not.toBe(encodeToken(b));
      }),
    );
  });
});

describe("encodeToken rejects", () => {
  it.each([
    ["an empty id", "", "an id must not be empty"],
    ["an id longer than 256 characters", "x".repeat(MAX_ID_LENGTH + 1), "an id must be at most 256 characters"],
    ["a lone high surrogate", "lamp\uD83D", "an id must be well-formed Unicode"],
    ["a lone low surrogate", "\uDCA1lamp", "an id must be well-formed Unicode"],
    ["surrogates in the wrong order", "\uDCA1\uD83D", "an id must be well-formed Unicode"],
  ])("%s", (_, id, message) => {
    expect(validationErrorOf(() => encodeToken(id)).message).toBe(message);
  });
});

describe("decodeToken rejects", () => {
  it.each([
    ["an empty token", "", "is not an encoded id"],
    ["`~` alone", "~", "is not an encoded id"],
    ["a truncated escape", "~4", "is not an encoded id"],
    ["lower-case hex", "~2e", "is not an encoded id"],
    ["a character encode never leaves bare", "a.b", "is not an encoded id"],
    ["a wildcard", "*", "is not an encoded id"],
    ["an escaped safe character (`~41` for `A`)", "~41", "is not in canonical form"],
    ["an escaped `-`", "~2D", "is not in canonical form"],
    ["bytes that are not UTF-8", "~FF", "holds bytes that are not UTF-8"],
    ["a truncated UTF-8 sequence", "~E2~82", "holds bytes that are not UTF-8"],
    ["a UTF-8 sequence split by a safe character", "~E2~82x~AC", "holds bytes that are not UTF-8"],
    ["an overlong UTF-8 encoding", "~C0~AE", "holds bytes that are not UTF-8"],
    ["a UTF-8-encoded surrogate", "~ED~A0~BD", "holds bytes that are not UTF-8"],
    ["an id longer than 256 characters", "x".repeat(MAX_ID_LENGTH + 1), "at most 256 characters"],
  ])("%s", (_, token, message) => {
    const error = validationErrorOf(() => decodeToken(token));
    expect(error.message).toContain(message);
  });

  it("quotes at most 80 characters of a bad token in its message", () => {
    const error = validationErrorOf(() => decodeToken(`${"x".repeat(200)}.`));
    expect(error.message).toBe(`"${"x".repeat(80)}" is not an encoded id`);
  });
});
