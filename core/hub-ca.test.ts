import { describe, expect, it } from "vitest";
import { ValidationError } from "./errors.ts";
import { MAX_KEY_PEM, parseCsr, parsePublicKey } from "./hub-ca.ts";

const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`;

describe("parsing what devices send", () => {
  it.each([
    ["not PEM at all", "hello"],
    ["an SSH key", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"],
    ["a truncated key", pem("PUBLIC KEY", "MCowBQYDK2VwAyEA")],
    ["too long", pem("PUBLIC KEY", "A".repeat(MAX_KEY_PEM))],
  ])("refuses %s as a public key, naming the field", (_what, text) => {
    try {
      parsePublicKey(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues[0]?.path).toBe("publicKey");
    }
  });

  it.each([
    ["not PEM at all", "hello"],
    ["garbage inside PEM", pem("CERTIFICATE REQUEST", "AAAA")],
    ["a certificate instead", pem("CERTIFICATE", "MIIB")],
    ["too long", pem("CERTIFICATE REQUEST", "A".repeat(MAX_KEY_PEM))],
  ])("refuses %s as a CSR, naming the field", async (_what, text) => {
    const err = await parseCsr(text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]?.path).toBe("csr");
  });

  it("accepts an Ed25519 SPKI key and gives it back as PEM", () => {
    const spki = "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=";
    expect(parsePublicKey(pem("PUBLIC KEY", spki))).toBe(pem("PUBLIC KEY", spki));
    expect(parsePublicKey(spki)).toBe(pem("PUBLIC KEY", spki));
  });
});
