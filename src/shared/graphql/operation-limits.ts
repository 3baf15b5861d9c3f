import {
  GraphQLError,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

export interface OperationLimits {
  maxDepth: number;
  maxComplexity: number;
}

/** Validation rule refusing operations nested deeper than the limit (introspection exempt). */
export function depthRule(limits: OperationLimits): ValidationRule {
  return maxDepthRule({
    n: limits.maxDepth,
    ignoreIntrospection: true,
    flattenFragments: true,
    exposeLimits: true,
    // Report like any validation error instead of throwing out of validation (an internal error).
    propagateOnRejection: false,
    onReject: [
      (context, error) =>
        (context as ValidationContext).reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''))),
    ],
  });
}

/**
 * Complexity of an operation: 1 per field unless a field declares `complexity`
 * (fan-out fields multiply by their limit argument).
 */
export function complexityError(
  limits: OperationLimits,
  schema: GraphQLSchema,
  query: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName?: string | null,
): GraphQLError | undefined {
  const complexity = getComplexity({
    schema,
    query,
    variables: variables ?? {},
    operationName: operationName ?? undefined,
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
  if (complexity <= limits.maxComplexity) return undefined;
  return new GraphQLError(`Query is too complex: ${complexity} (limit ${limits.maxComplexity})`, {
    extensions: { code: 'BAD_USER_INPUT', complexity, maxComplexity: limits.maxComplexity },
  });
}

/** Depth and complexity checks for operations arriving over graphql-ws (Apollo plugins do not see them). */
export function checkSubscriptionOperation(
  limits: OperationLimits,
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName?: string | null,
): readonly GraphQLError[] {
  const errors = validate(schema, document, [...specifiedRules, depthRule(limits)]);
  if (errors.length) return errors;
  const tooComplex = complexityError(limits, schema, document, variables, operationName);
  return tooComplex ? [tooComplex] : [];
}
