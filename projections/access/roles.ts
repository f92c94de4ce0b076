/** Roles and what they allow. Pure. viewer < operator < manager < admin; each role includes the ones below. */
import type { Role } from "../../core/messages.ts";

export const ROLES = ["viewer", "operator", "manager", "admin"] as const satisfies readonly Role[];

/** What a consumer may do to a Thing. `administer` covers users, groups and devices. */
export type Operation = "read" | "subscribe" | "invoke" | "writeProperty" | "configure" | "administer";

const LEAST_ROLE: Record<Operation, Role> = {
  read: "viewer",
  subscribe: "viewer",
  invoke: "operator",
  writeProperty: "manager",
  configure: "manager",
  administer: "admin",
};

export const rank = (role: Role): number => ROLES.indexOf(role);

/** Whether `role` allows `operation`. */
export function roleAllows(role: Role, operation: Operation): boolean {
  return rank(role) >= rank(LEAST_ROLE[operation]);
}

/** The highest of some roles; undefined for none. */
export function highestRole(roles: readonly Role[]): Role | undefined {
  let best: Role | undefined;
  for (const r of roles) if (best === undefined || rank(r) > rank(best)) best = r;
  return best;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
