/** Opaque pagination cursors: base64url of a small JSON value. Clients must not build or read them. */
import { ValidationError } from "../../core/errors.ts";

export const encodeCursor = (value: string | number): string =>
  Buffer.from(JSON.stringify(value)).toString("base64url");

export function decodeCursor<T extends "string" | "number">(
  cursor: string,
  kind: T,
): T extends "string" ? string : number {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString());
    if (typeof value === kind) return value as T extends "string" ? string : number;
  } catch {}
  throw new ValidationError("the cursor is not one this server gave out", [{ path: "after", message: "bad cursor" }]);
}

export type Page<T> = { nodes: T[]; endCursor: string | null; hasNextPage: boolean };

/** Turns `first + 1` fetched rows into a page of at most `first`, with the cursor of its last row. */
export function pageOf<T>(rows: T[], first: number, key: (row: T) => string | number): Page<T> {
  const nodes = rows.slice(0, first);
  const last = nodes.at(-1);
  return { nodes, endCursor: last === undefined ? null : encodeCursor(key(last)), hasNextPage: rows.length > first };
}
