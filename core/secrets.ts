/**
 * Hashing of secrets the hub must recognise but never keep: out-of-band secrets with argon2id (hash-wasm, the same
 * on Node, Bun and Deno; PHC strings carry their own parameters), and high-entropy credentials (device tokens,
 * certificates, nonces) with SHA-256, which is enough for values nobody can guess.
 */
import { argon2id } from "hash-wasm";

export type Argon2Params = { memoryKiB: number; iterations: number; parallelism: number; hashLength: number };

/** OWASP's recommended minimum for argon2id: 19 MiB, 2 passes, 1 lane. */
export const DEFAULT_ARGON2: Argon2Params = { memoryKiB: 19_456, iterations: 2, parallelism: 1, hashLength: 32 };

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/** Hashes a low-entropy secret with a fresh 16-byte salt; returns the PHC string. */
export function hashSecret(secret: string, params: Argon2Params = DEFAULT_ARGON2): Promise<string> {
  return argon2id({
    password: secret,
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

let dummy: Promise<string> | undefined;

/** Whether `secret` matches the PHC string; a malformed hash or empty secret costs the same and is false. */
export async function verifySecret(secret: string, encoded: string | null | undefined): Promise<boolean> {
  const m = encoded ? PHC.exec(encoded) : null;
  if (!m || secret === "") {
    dummy ??= hashSecret("not a secret");
    await verifySecret(secret || "-", await dummy);
    return false;
  }
  const [, memory, iterations, parallelism, salt, hash] = m as unknown as string[];
  const expected = fromB64(hash as string);
  const actual = await argon2id({
    password: secret,
    salt: fromB64(salt as string),
    memorySize: Number(memory),
    iterations: Number(iterations),
    parallelism: Number(parallelism),
    hashLength: expected.length,
    outputType: "binary",
  });
  return constantTimeEqual(actual, expected);
}

const encoder = new TextEncoder();

/** SHA-256 of text or bytes, as lower-case hex. */
export async function sha256Hex(value: string | Uint8Array): Promise<string> {
  const bytes = typeof value === "string" ? encoder.encode(value) : value;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Constant-time comparison of two hex digests. */
export const sameHash = (a: string, b: string): boolean => constantTimeEqual(encoder.encode(a), encoder.encode(b));

/** A random secret of `bytes` bytes, base64url without padding (for nonces and out-of-band secrets). */
export function randomSecret(bytes = 24): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...raw))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}
