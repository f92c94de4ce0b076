/** The one Pothos builder. Every type and field registers itself on it in its own file; `schema.ts` collects them. */
import SchemaBuilder from "@pothos/core";
import type { Context } from "../context.ts";

export type BuilderTypes = {
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    JSON: { Input: unknown; Output: unknown };
    DateTime: { Input: Date; Output: Date | string };
  };
};

/** The builder's full type set, for helpers that take or return refs. */
export type Types = PothosSchemaTypes.ExtendDefaultTypes<BuilderTypes>;

export const builder = new SchemaBuilder<BuilderTypes>({ defaultFieldNullability: false });

builder.queryType({ description: "Reads, checked against the caller's groups and roles." });
builder.mutationType({ description: "Commands: each appends facts to the log; read models follow shortly after." });
builder.subscriptionType({ description: "Live facts, fed from the log." });
