/** Prints the GraphQL schema in SDL; `docs/schema.graphql` holds the committed copy (see schema-drift.test.ts). */
import { printSchema } from "graphql";
import { schema } from "./schema/schema.ts";

export const printedSchema = (): string => `${printSchema(schema)}\n`;

if (import.meta.main) process.stdout.write(printedSchema());
