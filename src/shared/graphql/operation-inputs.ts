import {
  getVariableValues,
  Kind,
  visit,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import { refusal } from './error-formatting.js';

const NUL = '\u0000';
const NUL_PROBLEM = 'must not contain the NUL character (\\u0000)';
/** Enough to show a client what is wrong without building an answer as large as its request. */
const MAX_NAMED = 20;

/**
 * What the operation's inputs must be before anything runs: variables of their declared types
 * (BAD_USER_INPUT naming each variable, `$name`), and no NUL character in any string, literal
 * or variable (PostgreSQL cannot store it in text; BAD_USER_INPUT naming where it is).
 */
export function inputError(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
): GraphQLError | undefined {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, {
    maxErrors: MAX_NAMED,
  });
  if (coerced.errors) {
    const fields = Object.fromEntries(
      coerced.errors.map((error) => [variableOf(error) ?? 'variables', error.message] as const),
    );
    return refusal(coerced.errors.map((e) => e.message).join('; '), 'BAD_USER_INPUT', 400, { fields });
  }
  const declared = (operation.variableDefinitions ?? []).map((d) => d.variable.name.value);
  const withNul = [...nulInVariables(variables ?? {}, declared), ...nulInLiterals(document)].slice(0, MAX_NAMED);
  if (!withNul.length) return undefined;
  return refusal(`Text ${NUL_PROBLEM}: ${withNul.join(', ')}`, 'BAD_USER_INPUT', 400, {
    fields: Object.fromEntries(withNul.map((path) => [path, NUL_PROBLEM])),
  });
}

/** The variable a coercion error is about: its node is the variable's definition. */
function variableOf(error: GraphQLError): string | undefined {
  const node = error.nodes?.[0];
  return node?.kind === Kind.VARIABLE_DEFINITION ? `$${node.variable.name.value}` : undefined;
}

/** Paths (`$input.name`, `$codes.2`) of the strings holding a NUL; values are JSON, so finite. */
function nulInVariables(variables: Record<string, unknown>, declared: string[]): string[] {
  const found: string[] = [];
  const visitValue = (value: unknown, path: string): void => {
    if (found.length >= MAX_NAMED) return;
    if (typeof value === 'string') {
      if (value.includes(NUL)) found.push(path);
    } else if (Array.isArray(value)) value.forEach((item, i) => visitValue(item, `${path}.${i}`));
    else if (value && typeof value === 'object')
      for (const [key, item] of Object.entries(value)) visitValue(item, `${path}.${key}`);
  };
  for (const name of declared) visitValue(variables[name], `$${name}`);
  return found;
}

/** Paths (`text`, `input.name`, `$search` for a default value) of the string literals holding a NUL. */
function nulInLiterals(document: DocumentNode): string[] {
  const found: string[] = [];
  const visitValue = (value: ValueNode, path: string): void => {
    if (value.kind === Kind.STRING) {
      if (value.value.includes(NUL)) found.push(path);
    } else if (value.kind === Kind.LIST) value.values.forEach((item, i) => visitValue(item, `${path}.${i}`));
    else if (value.kind === Kind.OBJECT)
      for (const field of value.fields) visitValue(field.value, `${path}.${field.name.value}`);
  };
  visit(document, {
    Argument(argument) {
      visitValue(argument.value, argument.name.value);
      return false;
    },
    VariableDefinition(definition) {
      if (definition.defaultValue) visitValue(definition.defaultValue, `$${definition.variable.name.value}`);
      return false;
    },
  });
  return found;
}
