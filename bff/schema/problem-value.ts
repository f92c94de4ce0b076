import type { Issue } from "../../core/errors.ts";

export type ProblemName = "ValidationError" | "NotFound" | "Forbidden" | "Conflict";
/** Problems travel as plain objects: graphql treats a resolved Error as a field error, not as a value. */
export type Problem = { problem: ProblemName; message: string; issues: Issue[] };
