import type { ObjectRef } from "@pothos/core";
import { builder, type Types } from "../builder.ts";
import type { Problem as ProblemValue } from "../problem-value.ts";

export const Problem = builder.interfaceRef<ProblemValue>("Problem").implement({
  description: "An expected reason a mutation did not happen. The message is meant for the person who asked.",
  fields: (t) => ({ message: t.exposeString("message") }),
});

/** An object type for one kind of problem. */
export function problemType(name: ProblemValue["problem"], description: string): ObjectRef<Types, ProblemValue> {
  return builder.objectRef<ProblemValue>(name).implement({
    description,
    interfaces: [Problem],
    isTypeOf: (v) => (v as ProblemValue).problem === name,
  });
}
