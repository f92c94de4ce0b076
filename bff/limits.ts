/**
 * Query limits, as GraphQL validation rules: depth (nesting of selections, through fragments) and the number of
 * field selections once fragments are expanded (a rough cost; page sizes are capped by the fields themselves).
 */

import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  Kind,
  type SelectionSetNode,
  type ValidationContext,
} from "graphql";
import { createGraphQLError } from "graphql-yoga";

type Measure = { depth: number; fields: number };

function measure(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  seen: ReadonlySet<string>,
): Measure {
  let depth = 0;
  let fields = 0;
  for (const s of set.selections) {
    let inner: Measure = { depth: 0, fields: 0 };
    if (s.kind === Kind.FIELD) {
      if (s.selectionSet) inner = measure(s.selectionSet, fragments, seen);
      inner = { depth: inner.depth + 1, fields: inner.fields + 1 };
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      inner = measure(s.selectionSet, fragments, seen);
    } else {
      const f = fragments.get(s.name.value);
      // A fragment cycle is reported by graphql's own rules; count it no further here.
      if (f && !seen.has(f.name.value)) inner = measure(f.selectionSet, fragments, new Set([...seen, f.name.value]));
    }
    depth = Math.max(depth, inner.depth);
    fields += inner.fields;
  }
  return { depth, fields };
}

/** Refuses operations nested deeper than `maxDepth` or selecting more than `maxFields` fields. */
export function queryLimits(maxDepth: number, maxFields: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const d of context.getDocument().definitions)
      if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
    return {
      OperationDefinition(op) {
        const m = measure(op.selectionSet, fragments, new Set());
        if (m.depth > maxDepth) {
          context.reportError(
            createGraphQLError(`the query is ${m.depth} levels deep; the limit is ${maxDepth}`, { nodes: [op] }),
          );
        }
        if (m.fields > maxFields) {
          context.reportError(
            createGraphQLError(`the query selects ${m.fields} fields; the limit is ${maxFields}`, { nodes: [op] }),
          );
        }
      },
    };
  };
}
