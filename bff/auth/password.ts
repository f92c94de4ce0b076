/**
 * Password hashing with argon2id (hash-wasm: WebAssembly, so it runs the same on Node, Bun and Deno).
 * Hashes are stored in the PHC string format (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), which carries its own
 * parameters: raising the cost later leaves old hashes verifiable.
 */
import { argon2id } from "hash-wasm";

export type Argon2Params = { memoryKiB: number; iterations: number; parallelism: number; hashLength: number };

/** OWASP's recommended minimum for argon2id: 19 MiB, 2 passes, 1 lane. */
export const DEFAULT_ARGON2: Argon2Params = { memoryKiB: 19_456, iterations: 2, parallelism: 1, hashLength: 32 };

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Hashes a password with a fresh 16-byte salt; returns the encoded hash with its parameters. */
export function hashPassword(password: string, params: Argon2Params = DEFAULT_ARGON2): Promise<string> {
  return argon2id({
    password,
    salt: crypto.getRandomValues(new Uint8Array(16)),
    memorySize: params.memoryKiB,
    iterations: params.iterations,
    parallelism: params.parallelism,
    hashLength: params.hashLength,
    outputType: "encoded",
  });
}

const fromB64 = (s: string): Uint8Array =>
  Uint8Array.from(atob(s + "=".repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));

/** Compares two byte strings in time that depends only on their lengths. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

// Verified against when the user is unknown, so a wrong user name costs as much time as a wrong password.
let dummy: Promise<string> | undefined;

/**
 * Whether `password` matches the encoded hash. Recomputes the hash with the stored salt and parameters and
 * compares in constant time. An absent or malformed hash (or an empty password) costs the same and returns false.
 */
export async function verifyPassword(password: string, encoded: string | null | undefined): Promise<boolean> {
  const m = encoded ? PHC.exec(encoded) : null;
  // argon2 refuses an empty password; it never matches, but costs the same time.
  if (!m || password === "") {
    dummy ??= hashPassword("not a password");
    await verifyPassword(password || "-", await dummy);
    return false;
  }
  const [, memory, iterations, parallelism, salt, hash] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const expected = fromB64(hash);
  const actual = await argon2id({
    password,
    salt: fromB64(salt),
    memorySize: Number(memory),
    iterations: Number(iterations),
    parallelism: Number(parallelism),
    hashLength: expected.length,
    outputType: "binary",
  });
  return constantTimeEqual(actual, expected);
}
