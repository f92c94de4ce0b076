/**
 * Password hashing with argon2id: the same hashing the hub uses for every low-entropy secret (`core/secrets.ts`,
 * hash-wasm, so it runs the same on Node, Bun and Deno). Hashes are PHC strings that carry their own parameters:
 * raising the cost later leaves old hashes verifiable.
 */
export {
  type Argon2Params,
  constantTimeEqual,
  DEFAULT_ARGON2,
  hashSecret as hashPassword,
  verifySecret as verifyPassword,
} from "../../core/secrets.ts";
