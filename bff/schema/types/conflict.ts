import { problemType } from "./problem.ts";

export const ConflictRef = problemType(
  "Conflict",
  "The state changed or already exists; read again and retry if it still makes sense.",
);
