/**
 * What every resolver gets: the services the BFF runs on and the caller (undefined when not logged in). The caller
 * is resolved once per request (or WebSocket connection) from the access token and the access read model.
 */
import { eq, sql } from "drizzle-orm";
import type { EventLog } from "../core/event-log.ts";
import type { Logger } from "../core/log.ts";
import type { Role } from "../core/messages.ts";
import { isRole } from "../projections/access/roles.ts";
import { accessMembers, accessUsers } from "../projections/access/tables.ts";
import type { Db } from "../projections/db/database.ts";
import { projectionCheckpoints } from "../projections/tables.ts";
import type { SigningKeys } from "./auth/keys.ts";
import type { RefreshTokenStore } from "./auth/refresh-tokens.ts";
import type { TokenVerifier } from "./auth/verified-tokens.ts";
import type { CallerCache } from "./caller-cache.ts";
import type { LiveFeeds } from "./live/live-feed.ts";
import { prepared } from "./read/prepared.ts";

/** The access projection's name (projections/access/projection.ts), the key of its checkpoint row. */
const ACCESS_PROJECTION = "access";

/** Admins of this group are the hub's administrators: they see and manage everything. */
export const ADMIN_GROUP = "admins";

export type Services = {
  db: Db;
  log: EventLog;
  /** Shared live tails of the streams, for subscriptions. */
  feeds: LiveFeeds;
  /** Callers remembered while the access read model they were read from is current. */
  callers: CallerCache;
  logger: Logger;
  keys: SigningKeys;
  /** Checks access tokens (signature, claims, expiry), remembering ones already verified. */
  verifyToken: TokenVerifier;
  refreshTokens: RefreshTokenStore;
  accessTtlMs: number;
  refreshTtlMs: number;
  /** The hub's DNS-SD announcement, when this process makes one (switched by administrators). */
  discovery?: DiscoveryControl;
};

/** Switches an announcement on and off while the hub runs. */
export type DiscoveryControl = { readonly enabled: boolean; setEnabled(on: boolean): Promise<void> };

export type Caller = { user: string; admin: boolean; roles: ReadonlyMap<string, Role> };

export type Context = { services: Services; caller: Caller | undefined };

/** The bearer token of an `Authorization` header value; undefined when absent or not a bearer token. */
export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== "string") return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return m?.[1];
}

export type CallerCheck = { ok: true; caller: Caller | undefined } | { ok: false; reason: string };

/**
 * The caller a token stands for. No token: anonymous (ok, undefined). A bad token, or one of a user that no
 * longer exists: refused.
 */
export async function resolveCaller(services: Services, token: string | undefined): Promise<CallerCheck> {
  if (token === undefined) return { ok: true, caller: undefined };
  const check = await services.verifyToken(token);
  if (!check.ok) return { ok: false, reason: check.reason };
  const known = services.callers.get(check.user);
  if (known) return { ok: true, caller: known };
  // One round trip: the user (no row: unknown) with each group membership (null group: none), and the access
  // projection's checkpoint, read in the same snapshot, which says how current the answer is.
  const rows = (await prepared(services.db, "caller", (name) =>
    services.db
      .select({
        group: accessMembers.group,
        role: accessMembers.role,
        checkpoint: sql<number>`(select ${projectionCheckpoints.seq} from ${projectionCheckpoints} where ${projectionCheckpoints.name} = ${ACCESS_PROJECTION})`,
      })
      .from(accessUsers)
      .leftJoin(accessMembers, eq(accessMembers.user, accessUsers.user))
      .where(eq(accessUsers.user, sql.placeholder("user")))
      .prepare(name),
  ).execute({ user: check.user })) as { group: string | null; role: string | null; checkpoint: unknown }[];
  if (rows.length === 0) return { ok: false, reason: "unknown user" };
  const roles = new Map<string, Role>();
  for (const r of rows) if (r.group !== null && r.role !== null && isRole(r.role)) roles.set(r.group, r.role);
  const caller = { user: check.user, admin: roles.get(ADMIN_GROUP) === "admin", roles };
  const checkpoint = Number(rows[0]?.checkpoint ?? 0);
  if (Number.isFinite(checkpoint)) services.callers.set(caller, checkpoint);
  return { ok: true, caller };
}
