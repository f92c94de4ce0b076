/** JSON (any JSON value) and DateTime (ISO 8601 with offset). */
import { Kind, type ValueNode } from "graphql";
import { createGraphQLError } from "graphql-yoga";
import { builder } from "../builder.ts";

function literal(node: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (node.kind) {
    case Kind.NULL:
      return null;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return node.value;
    case Kind.LIST:
      return node.values.map((v) => literal(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
  }
}

builder.scalarType("JSON", {
  description: "Any JSON value.",
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (node, variables) => literal(node, variables),
});

function toDate(v: unknown): Date {
  const d = typeof v === "string" ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw createGraphQLError("DateTime must be an ISO 8601 date-time string");
  return d;
}

builder.scalarType("DateTime", {
  description: "A date-time in ISO 8601, e.g. 2026-11-01T12:00:00.000Z.",
  serialize: (v) => new Date(v as string | Date).toISOString(),
  parseValue: toDate,
  parseLiteral: (node) => toDate(node.kind === Kind.STRING ? node.value : undefined),
});
