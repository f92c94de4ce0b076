import type { Issue } from "../../../core/errors.ts";
import { builder } from "../builder.ts";
import { problemType } from "./problem.ts";

const FieldIssue = builder.objectRef<Issue>("FieldIssue").implement({
  description: "One input field that failed validation, and why.",
  fields: (t) => ({ path: t.exposeString("path"), message: t.exposeString("message") }),
});

export const ValidationErrorRef = problemType(
  "ValidationError",
  "The input failed validation; `issues` names each field.",
);
builder.objectField(ValidationErrorRef, "issues", (t) => t.field({ type: [FieldIssue], resolve: (e) => e.issues }));
