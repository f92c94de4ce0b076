/**
 * An Ed25519 key pair kept in the data folder as a JWK (readable by the owner only). It is generated on first use,
 * so every process sharing the folder signs and verifies with the same key, and tokens survive a restart.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";

export type SigningKeys = { privateKey: CryptoKey; publicKey: CryptoKey; kid: string };

async function fromJwk(jwk: JWK): Promise<SigningKeys> {
  const { d: _d, ...pub } = jwk;
  return {
    privateKey: (await importJWK(jwk, "EdDSA")) as CryptoKey,
    publicKey: (await importJWK(pub, "EdDSA")) as CryptoKey,
    kid: String(jwk.kid),
  };
}

/** Loads the key pair kept in `dataDir/fileName`, creating it on first call. Safe when several processes race. */
export async function loadOrCreateSigningKeys(dataDir: string, fileName: string): Promise<SigningKeys> {
  const file = join(dataDir, fileName);
  try {
    return await fromJwk(JSON.parse(await readFile(file, "utf8")) as JWK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: crypto.randomUUID(), alg: "EdDSA" };
  await mkdir(dataDir, { recursive: true });
  try {
    // `wx` fails when another process wrote the file first; then its key wins.
    await writeFile(file, JSON.stringify(jwk), { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return fromJwk(JSON.parse(await readFile(file, "utf8")) as JWK);
  }
  return fromJwk(jwk);
}
