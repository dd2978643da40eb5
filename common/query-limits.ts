/**
 * Limits on what one GraphQL document may ask for, as validation rules for graphql-js (used by the
 * gateway and by every subgraph). Introspection subtrees (__schema, __type) do not count.
 */
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { ErrorCode } from '../domain/errors.js';

export const QUERY_LIMITS = {
  /** Longest chain of nested fields. */
  maxDepth: 12,
  /** Fields in the whole document, with fragments expanded. */
  maxFields: 1500,
  /** Characters of query text. */
  maxQueryLength: 50_000,
} as const;

interface Measure {
  depth: number;
  fields: number;
}

function measure(
  selectionSet: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  memo: Map<string, Measure>,
  visiting: Set<string>,
): Measure {
  if (!selectionSet) return { depth: 0, fields: 0 };
  let depth = 0;
  let fields = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      const inner = measure(selection.selectionSet, fragments, memo, visiting);
      depth = Math.max(depth, 1 + inner.depth);
      fields += 1 + inner.fields;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const inner = measure(selection.selectionSet, fragments, memo, visiting);
      depth = Math.max(depth, inner.depth);
      fields += inner.fields;
    } else {
      const name = selection.name.value;
      let inner = memo.get(name);
      if (inner === undefined) {
        const fragment = fragments.get(name);
        // Unknown and cyclic fragments are reported by graphql-js's own rules.
        if (!fragment || visiting.has(name)) continue;
        visiting.add(name);
        inner = measure(fragment.selectionSet, fragments, memo, visiting);
        visiting.delete(name);
        memo.set(name, inner);
      }
      depth = Math.max(depth, inner.depth);
      fields += inner.fields;
    }
  }
  return { depth, fields };
}

export function queryLimitsRule(limits: { maxDepth: number; maxFields: number } = QUERY_LIMITS): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const document = context.getDocument();
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const memo = new Map<string, Measure>();
    return {
      OperationDefinition(operation) {
        const { depth, fields } = measure(operation.selectionSet, fragments, memo, new Set());
        if (depth > limits.maxDepth) {
          context.reportError(
            new GraphQLError(`The query is ${depth} levels deep; at most ${limits.maxDepth} are allowed`, {
              nodes: [operation],
              extensions: { code: ErrorCode.QUERY_TOO_DEEP },
            }),
          );
        }
        if (fields > limits.maxFields) {
          context.reportError(
            new GraphQLError(`The query asks for ${fields} fields; at most ${limits.maxFields} are allowed`, {
              nodes: [operation],
              extensions: { code: ErrorCode.QUERY_TOO_COMPLEX },
            }),
          );
        }
      },
    };
  };
}

export function queryTooLongMessage(length: number): string {
  return `The query text has ${length} characters; at most ${QUERY_LIMITS.maxQueryLength} are allowed`;
}
