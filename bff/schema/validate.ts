/** Parses mutation and query arguments with zod; failures become a ValidationError naming each field. */
import type { z } from "zod";
import { ValidationError } from "../../core/errors.ts";
import { issuesOf } from "../../core/event-log.ts";

export function parseArgs<S extends z.ZodType>(schema: S, args: unknown): z.infer<S> {
  const parsed = schema.safeParse(args);
  if (parsed.success) return parsed.data;
  const issues = issuesOf(parsed.error);
  throw new ValidationError(`invalid input: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
}
