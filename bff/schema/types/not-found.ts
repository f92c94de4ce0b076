import { problemType } from "./problem.ts";

export const NotFoundRef = problemType(
  "NotFound",
  "What the mutation names does not exist, or the caller may not see it.",
);
