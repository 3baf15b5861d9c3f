import {
  getNamedType,
  GraphQLError,
  Kind,
  parse,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  fieldExtensionsEstimator,
  getComplexity,
  simpleEstimator,
  type ComplexityEstimator,
} from 'graphql-query-complexity';
import { refusal } from './error-formatting.js';
import { MAX_PAGE_SIZE, PAGE_EXTENSION } from './pagination.js';

/** What one operation may be, over HTTP and graphql-ws alike. */
export interface OperationLimits {
  /** Tokens of the document: parsing stops there, before validation (whose cost grows faster than the text). */
  maxTokens: number;
  maxDepth: number;
  /** Aliases in the operation, fragments included: each can repeat a field, and its cost. */
  maxAliases: number;
  /** The cost limit, and with it the number of fields (each costs at least 1). */
  maxComplexity: number;
}

function tooComplex(message: string, details: Record<string, number>): GraphQLError {
  return refusal(message, 'QUERY_TOO_COMPLEX', 400, details);
}

/** The document, or the syntax error (the token limit included) as graphql-ws sends it. */
export function parseOperation(limits: OperationLimits, query: string): DocumentNode | GraphQLError {
  try {
    return parse(query, { maxTokens: limits.maxTokens });
  } catch (e) {
    if (!(e instanceof GraphQLError)) throw e;
    return new GraphQLError(e.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } });
  }
}

/** The limits that are validation rules: depth, aliases and fields (introspection exempt from depth). */
export function limitRules(limits: OperationLimits): ValidationRule[] {
  return [depthRule(limits.maxDepth), sizeRule(limits)];
}

function depthRule(maxDepth: number): ValidationRule {
  return maxDepthRule({
    n: maxDepth,
    ignoreIntrospection: true,
    flattenFragments: true,
    exposeLimits: true,
    // Report like any validation error instead of throwing out of validation (an internal error).
    propagateOnRejection: false,
    onReject: [
      (context, error) =>
        (context as ValidationContext).reportError(
          tooComplex(error.message.replace(/^Syntax Error: /, ''), { maxDepth }),
        ),
    ],
  });
}

/** Aliases and fields of an operation, each fragment counted every time it is spread. */
interface Size {
  aliases: number;
  fields: number;
}

/**
 * Aliases (each can repeat a costly field) and fields with fragments expanded: every field
 * costs at least 1, so more fields than the complexity limit are over it, and a document
 * spreading fragments into millions of fields is refused here, cheaply, before it is costed.
 */
function sizeRule(limits: OperationLimits): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const { aliases, fields } = sizeOf(operation.selectionSet, context, new Map());
      if (aliases > limits.maxAliases)
        context.reportError(
          tooComplex(`Too many aliases: ${aliases} (limit ${limits.maxAliases})`, {
            aliases,
            maxAliases: limits.maxAliases,
          }),
        );
      else if (fields > limits.maxComplexity)
        context.reportError(
          tooComplex(`Query is too complex: ${fields} fields (limit ${limits.maxComplexity})`, {
            complexity: fields,
            maxComplexity: limits.maxComplexity,
          }),
        );
      return false;
    },
  });
}

/** Linear in the document: a fragment is measured once however often it is spread (memo). */
function sizeOf(set: SelectionSetNode, context: ValidationContext, fragments: Map<string, Size>): Size {
  const size = { aliases: 0, fields: 0 };
  const add = (other: Size) => {
    size.aliases += other.aliases;
    size.fields += other.fields;
  };
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      size.fields++;
      if (selection.alias) size.aliases++;
      if (selection.selectionSet) add(sizeOf(selection.selectionSet, context, fragments));
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      add(sizeOf(selection.selectionSet, context, fragments));
    } else {
      const name = selection.name.value;
      if (!fragments.has(name)) {
        fragments.set(name, { aliases: 0, fields: 0 }); // a cycle (refused by another rule) counts nothing
        const fragment = context.getFragment(name);
        if (fragment) fragments.set(name, sizeOf(fragment.selectionSet, context, fragments));
      }
      add(fragments.get(name)!);
    }
  }
  return size;
}

/**
 * A page (`Paginated(…)`) holds up to `limit` items: the work and the answer grow with it,
 * so its selection counts `limit` times. A limit over the page size is refused when the
 * field runs (BAD_USER_INPUT naming it), so it costs a full page here.
 */
const pageEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (getNamedType(field.type).extensions?.[PAGE_EXTENSION] !== true) return undefined;
  const limit = typeof args.limit === 'number' && args.limit > 0 ? Math.min(args.limit, MAX_PAGE_SIZE) : 1;
  return 1 + limit * childComplexity;
};

/**
 * The cost of an operation: 1 per field; pages multiply by their limit; fields that declare
 * `complexity` (history: series × points) count that. Over the limit, or too big to cost,
 * it is a QUERY_TOO_COMPLEX refusal. Variables must have been coerced already.
 */
export function costOf(
  limits: OperationLimits,
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): number | GraphQLError {
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: { kind: Kind.DOCUMENT, definitions: [...fragmentsOf(document), operation] },
      variables: variables ?? {},
      estimators: [fieldExtensionsEstimator(), pageEstimator, simpleEstimator({ defaultComplexity: 1 })],
      // The size rule refused documents with more fields than this; a safety net all the same.
      maxQueryNodes: limits.maxComplexity + 1,
    });
  } catch (e) {
    if (e instanceof GraphQLError)
      return tooComplex(`Query is too complex: more than ${limits.maxComplexity} fields`, {
        maxComplexity: limits.maxComplexity,
      });
    throw e;
  }
  if (complexity <= limits.maxComplexity) return complexity;
  return tooComplex(`Query is too complex: ${complexity} (limit ${limits.maxComplexity})`, {
    complexity,
    maxComplexity: limits.maxComplexity,
  });
}

function fragmentsOf(document: DocumentNode) {
  return document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
}
