/**
 * Result unions for mutations: the success type or one of the expected problems. `asProblem` is the one place
 * that maps the hub's errors to GraphQL; anything else is rethrown, and the server masks it.
 */
import type { ObjectRef, UnionRef } from "@pothos/core";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "../../core/errors.ts";
import type { Problem, ProblemName } from "./problem-value.ts";

export type { Problem } from "./problem-value.ts";

import { builder, type Types } from "./builder.ts";
import { ConflictRef } from "./types/conflict.ts";
import { ForbiddenRef } from "./types/forbidden.ts";
import { NotFoundRef } from "./types/not-found.ts";
import { ValidationErrorRef } from "./types/validation-error.ts";

export type ProblemError = ValidationError | NotFoundError | ForbiddenError | ConflictError;

const PROBLEMS: Record<ProblemName, ObjectRef<Types, Problem>> = {
  ValidationError: ValidationErrorRef,
  NotFound: NotFoundRef,
  Forbidden: ForbiddenRef,
  Conflict: ConflictRef,
};

/** The one mapping from the hub's expected errors to GraphQL result types; anything else is rethrown. */
export function asProblem(err: unknown): Problem {
  const problem: ProblemName | undefined =
    err instanceof ValidationError
      ? "ValidationError"
      : err instanceof NotFoundError
        ? "NotFound"
        : err instanceof ForbiddenError
          ? "Forbidden"
          : err instanceof ConflictError
            ? "Conflict"
            : undefined;
  if (problem === undefined) throw err;
  const e = err as ProblemError;
  return { problem, message: e.message, issues: e instanceof ValidationError ? e.issues : [] };
}

/** Runs a mutation body; expected errors, returned or thrown, become union members. */
export async function attempt<T extends object>(body: () => Promise<T | ProblemError>): Promise<T | Problem> {
  try {
    const result = await body();
    return result instanceof Error ? asProblem(result) : result;
  } catch (err) {
    return asProblem(err);
  }
}

/** A union `name` of the success type and the named problems. Success values must not be Errors. */
export function resultUnion<T extends object>(
  name: string,
  success: ObjectRef<Types, T>,
  problems: ProblemName[],
): UnionRef<Types, T | Problem, T | Problem> {
  return builder.unionType(name, {
    types: [success, ...problems.map((p) => PROBLEMS[p])] as never,
    resolveType: (value: object) => ("problem" in value ? (value as Problem).problem : success.name),
  }) as never;
}
