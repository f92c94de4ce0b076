import { problemType } from "./problem.ts";

export const ForbiddenRef = problemType("Forbidden", "The caller's role does not allow this.");
