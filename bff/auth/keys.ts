/**
 * The Ed25519 key pair that signs access tokens. Generated on first start and kept in the data folder as a JWK
 * (readable by the owner only), so tokens survive a restart and every BFF sharing the folder accepts them.
 */
import { loadOrCreateSigningKeys as loadOrCreate, type SigningKeys } from "../../core/signing-keys.ts";

export type { SigningKeys };

export const KEY_FILE = "bff-signing-key.jwk.json";

/** Loads the signing keys from `dataDir`, creating them on first call. Safe when several processes race. */
export const loadOrCreateSigningKeys = (dataDir: string): Promise<SigningKeys> => loadOrCreate(dataDir, KEY_FILE);
