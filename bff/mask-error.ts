/**
 * What clients see of an error. GraphQL's own errors (syntax, validation) and ours with a code pass as they are;
 * the hub's expected errors (SpokesError) pass with their message, which is written for the caller; anything
 * else is replaced by a message with an id, and logged with that id.
 */
import type { GraphQLError } from "graphql";
import { createGraphQLError } from "graphql-yoga";
import { SpokesError } from "../core/errors.ts";
import type { Logger } from "../core/log.ts";

const CODES: Record<string, string> = {
  ValidationError: "BAD_USER_INPUT",
  NotFoundError: "NOT_FOUND",
  ForbiddenError: "FORBIDDEN",
  ConflictError: "CONFLICT",
  UnavailableError: "UNAVAILABLE",
};

// By name, not instanceof: a test runner may load graphql twice (ESM and CommonJS builds).
const isGraphQLError = (e: unknown): e is GraphQLError => e instanceof Error && e.name === "GraphQLError";

export function maskError(error: unknown, logger: Logger): Error {
  const original = isGraphQLError(error) ? error.originalError : error;
  const where = isGraphQLError(error) ? { nodes: error.nodes, path: error.path } : {};
  if (isGraphQLError(error) && (original == null || isGraphQLError(original))) return error;
  if (original instanceof SpokesError) {
    return createGraphQLError(original.message, { ...where, extensions: { code: CODES[original.name] ?? "ERROR" } });
  }
  const errorId = crypto.randomUUID();
  logger.error("unexpected error while serving GraphQL", {
    errorId,
    err: original,
    stack: original instanceof Error ? original.stack : undefined,
  });
  return createGraphQLError(`unexpected error; quote ${errorId} when reporting it`, {
    ...where,
    extensions: { code: "INTERNAL_SERVER_ERROR", errorId },
  });
}
