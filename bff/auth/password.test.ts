import { describe, expect, it } from "vitest";
import { constantTimeEqual, hashPassword, verifyPassword } from "./password.ts";

const fast = { memoryKiB: 1024, iterations: 1, parallelism: 1, hashLength: 32 };

describe("password hashing", () => {
  it("Given a hash, Then it is argon2id in PHC format with its parameters and a fresh salt", async () => {
    const a = await hashPassword("correct horse", fast);
    const b = await hashPassword("correct horse", fast);
    expect(a).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(a).not.toBe(b);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse", fast);
    expect(await verifyPassword("correct horse", hash)).toBe(true);
    expect(await verifyPassword("correct horsf", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("uses the parameters stored in the hash, not the current defaults", async () => {
    const hash = await hashPassword("pw", { ...fast, iterations: 3 });
    expect(await verifyPassword("pw", hash)).toBe(true);
  });

  it.each([null, undefined, "", "plain", "$argon2i$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "$argon2id$v=19$m=x"])(
    "refuses a missing or malformed hash %s",
    async (hash) => {
      expect(await verifyPassword("pw", hash)).toBe(false);
    },
  );

  it("compares bytes without stopping at the first difference", () => {
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
  });
});
