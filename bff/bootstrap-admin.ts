/**
 * First start: the `admin` user, the `admins` group and the user's admin membership, appended to the ACCESS
 * stream. Each append expects its subject to be empty, so of several BFFs starting at once exactly one creates
 * the admin, and a later start finds it and does nothing.
 */
import { ConflictError } from "../core/errors.ts";
import type { EventLog } from "../core/event-log.ts";
import type { Logger } from "../core/log.ts";
import { subjects } from "../core/subjects.ts";
import { type Argon2Params, hashPassword } from "./auth/password.ts";
import { ADMIN_GROUP } from "./context.ts";

export const ADMIN_USER = "admin";

export type EnsureAdminOptions = {
  log: EventLog;
  logger: Logger;
  /** The admin's password (from config); generated when absent. */
  password?: string;
  /** How a generated password is shown, once. Default: stderr, not the logger (logs are kept; this is a secret). */
  print?: (line: string) => void;
  argon2?: Argon2Params;
};

/** A random password: 24 characters from 18 random bytes (144 bits). */
export const generatePassword = () => Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64url");

async function appendIfEmpty(log: EventLog, req: Parameters<EventLog["append"]>[0]): Promise<number | undefined> {
  try {
    return (await log.append({ ...req, expectedLastSubjectSeq: 0 })).seq;
  } catch (err) {
    if (err instanceof ConflictError) return undefined;
    throw err;
  }
}

/** Creates the admin user when the log has none; returns whether it did. */
export async function ensureAdmin(o: EnsureAdminOptions): Promise<{ created: boolean }> {
  const source = "bff/bootstrap";
  const user = subjects.user(ADMIN_USER);
  const added = await appendIfEmpty(o.log, { subject: user, type: "spokes.UserAdded", data: {}, source });
  if (added === undefined) return { created: false };
  const password = o.password ?? generatePassword();
  await o.log.append({
    subject: user,
    type: "spokes.PasswordChanged",
    data: { passwordHash: await hashPassword(password, o.argon2) },
    source,
    expectedLastSubjectSeq: added,
  });
  const group = subjects.group(ADMIN_GROUP);
  const created = await appendIfEmpty(o.log, { subject: group, type: "spokes.GroupCreated", data: {}, source });
  await o.log.append({
    subject: group,
    type: "spokes.MemberAdded",
    data: { user: ADMIN_USER, role: "admin" },
    source,
    ...(created === undefined ? {} : { expectedLastSubjectSeq: created }),
  });
  o.logger.info("created the admin user", { user: ADMIN_USER, group: ADMIN_GROUP });
  if (o.password === undefined) {
    const print = o.print ?? ((line: string) => process.stderr.write(`${line}\n`));
    print(
      `Spokes admin user "${ADMIN_USER}" created with password: ${password}  (shown once; change it with setPassword)`,
    );
  }
  return { created: true };
}
