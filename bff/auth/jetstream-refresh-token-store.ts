/**
 * Refresh-token hashes in a JetStream stream of their own (`SESSIONS`, one message per subject, aged out at the
 * refresh lifetime). Why here: sessions are shared by every BFF instance (they are stateless), must survive a
 * restart, and must be gone for good once revoked. They are not domain facts: keeping them in ACCESS would replay
 * dead sessions into every rebuild, and a Postgres table written by the BFF would be the one read model not
 * derived from the log. Revocation deletes the subject's message (purge), so a revoked token cannot come back.
 */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { JetStreamApiError } from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import { encodeToken } from "../../core/ids.ts";
import type { RefreshRecord, RefreshTokenStore } from "./refresh-tokens.ts";

export const SESSIONS_STREAM = "SESSIONS";
const STREAM_NOT_FOUND = 10059;

const subjectOf = (user: string, hash: string) => `sessions.${encodeToken(user)}.${hash}`;

export class JetStreamRefreshTokenStore implements RefreshTokenStore {
  private readonly js: JetStreamClient;
  private readonly jsm: JetStreamManager;
  private constructor(js: JetStreamClient, jsm: JetStreamManager) {
    this.js = js;
    this.jsm = jsm;
  }

  /** Creates the SESSIONS stream when missing. */
  static async open(log: { js: JetStreamClient; jsm: JetStreamManager }, ttlMs: number) {
    const config = {
      name: SESSIONS_STREAM,
      subjects: ["sessions.*.*"],
      max_msgs_per_subject: 1,
      max_age: nanos(ttlMs),
      allow_direct: true,
    };
    const exists = await log.jsm.streams.info(SESSIONS_STREAM).catch((err: unknown) => {
      if (err instanceof JetStreamApiError && err.code === STREAM_NOT_FOUND) return undefined;
      throw err;
    });
    if (exists) await log.jsm.streams.update(SESSIONS_STREAM, { ...exists.config, ...config });
    else await log.jsm.streams.add(config);
    return new JetStreamRefreshTokenStore(log.js, log.jsm);
  }

  async put(hash: string, record: RefreshRecord): Promise<void> {
    await this.js.publish(subjectOf(record.user, hash), JSON.stringify(record));
  }

  /** Finds a token by hash alone (`last_by_subj` with a wildcard: nats-server 2.10+). */
  private async find(hash: string) {
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    const msg = await this.jsm.streams.getMessage(SESSIONS_STREAM, { last_by_subj: `sessions.*.${hash}` });
    return msg ?? undefined;
  }

  async get(hash: string): Promise<RefreshRecord | undefined> {
    const msg = await this.find(hash);
    return msg ? (msg.json() as RefreshRecord) : undefined;
  }

  async revoke(hash: string): Promise<boolean> {
    const msg = await this.find(hash);
    if (!msg) return false;
    // Deleting by sequence fails for the loser of two concurrent revocations.
    return this.jsm.streams.deleteMessage(SESSIONS_STREAM, msg.seq, false).catch(() => false);
  }

  async revokeUser(user: string): Promise<void> {
    await this.jsm.streams.purge(SESSIONS_STREAM, { filter: `sessions.${encodeToken(user)}.*` });
  }
}
