/** Access checks every resolver makes, against the access read model. Hub admins may do everything. */
import { createGraphQLError } from "graphql-yoga";
import { ForbiddenError, NotFoundError } from "../core/errors.ts";
import type { Role } from "../core/messages.ts";
import { roleOn } from "../projections/access/queries.ts";
import { type Operation, roleAllows } from "../projections/access/roles.ts";
import type { Caller, Context } from "./context.ts";

/** The caller, or a GraphQL error with code UNAUTHENTICATED (not a result union: the request itself is wrong). */
export function requireCaller(ctx: Context): Caller {
  if (ctx.caller) return ctx.caller;
  throw createGraphQLError("log in first: send `Authorization: Bearer <accessToken>`", {
    extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
  });
}

/** The caller's highest role over a Thing (through its groups); `admin` for hub admins. */
export async function roleOnThing(ctx: Context, caller: Caller, thing: string): Promise<Role | undefined> {
  if (caller.admin) return "admin";
  return roleOn(ctx.services.db, caller.user, thing);
}

/**
 * Checks an operation on a Thing. A Thing the caller cannot even read is reported as not found, so its
 * existence does not leak; one it can read but not operate is forbidden.
 */
export async function checkThing(ctx: Context, caller: Caller, operation: Operation, thing: string) {
  const role = await roleOnThing(ctx, caller, thing);
  if (role === undefined) return new NotFoundError(`no Thing "${thing}"`);
  if (!roleAllows(role, operation)) return new ForbiddenError(`your role (${role}) may not ${operation} "${thing}"`);
  return undefined;
}

/** Whether the caller administers the group: a hub admin, or an `admin` member of the group. */
export function administersGroup(caller: Caller, group: string): boolean {
  return caller.admin || caller.roles.get(group) === "admin";
}

export function forbidden(what: string): ForbiddenError {
  return new ForbiddenError(`only an administrator may ${what}`);
}
