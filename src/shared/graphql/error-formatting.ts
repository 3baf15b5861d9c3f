import { Catch, HttpException, Logger } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import { GraphQLError, type ExecutionResult, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import { DomainError } from '../errors/domain-errors.js';

const logger = new Logger('GraphQL');

/** Codes that GraphQL itself (parsing, validation, variable coercion) already sets correctly. */
const GRAPHQL_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
]);

/**
 * The one place errors become GraphQL errors: domain errors keep their code and details,
 * validation failures name their fields, anything unexpected is logged and answered as
 * INTERNAL_SERVER_ERROR without internals (no stack, no SQL).
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof DomainError)
    return { ...base, message: original.message, extensions: { code: original.code, ...original.details } };
  if (original instanceof HttpException) return { ...base, ...fromHttpException(original) };
  const code = formatted.extensions?.code as string | undefined;
  if (code && GRAPHQL_CODES.has(code)) return { ...base, extensions: pickPublicExtensions(formatted.extensions!) };
  // A GraphQLError of its own (no cause underneath) comes from parsing or validation, e.g. the depth limit.
  if (original instanceof GraphQLError && !code)
    return {
      ...base,
      extensions: { ...pickPublicExtensions(formatted.extensions ?? {}), code: 'GRAPHQL_VALIDATION_FAILED' },
    };
  logger.error({ err: original, path: formatted.path }, 'Unexpected error while executing an operation');
  return { ...base, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** ValidationPipe (class-validator) answers with a BadRequestException listing messages. */
function fromHttpException(exception: HttpException): Pick<GraphQLFormattedError, 'message' | 'extensions'> {
  const response = exception.getResponse() as { message?: string | string[] } | string;
  const messages = typeof response === 'string' ? [response] : [response.message ?? exception.message].flat();
  const status = exception.getStatus();
  if (status === 400) {
    const fields = Object.fromEntries(messages.map((m) => [m.split(' ')[0], m]));
    return { message: `Invalid input: ${messages.join('; ')}`, extensions: { code: 'BAD_USER_INPUT', fields } };
  }
  if (status === 401) return { message: exception.message, extensions: { code: 'UNAUTHENTICATED' } };
  if (status === 403) return { message: exception.message, extensions: { code: 'FORBIDDEN' } };
  if (status === 404) return { message: exception.message, extensions: { code: 'NOT_FOUND' } };
  return { message: exception.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

function pickPublicExtensions(extensions: Record<string, unknown>): Record<string, unknown> {
  const { stacktrace: _stack, exception: _exception, ...rest } = extensions;
  return rest;
}

/** The same formatting for errors sent over graphql-ws (Apollo's formatError covers HTTP only). */
export function formatGraphQLErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((error) => formatGraphQLError(error.toJSON(), error));
}

/** A subscription event's result as it is sent: its errors formatted like every other. */
export function formatExecutionResult(result: ExecutionResult): ExecutionResult | FormattedExecutionResult {
  return result.errors?.length ? { ...result, errors: formatGraphQLErrors(result.errors) } : result;
}

/**
 * Hands every resolver error to GraphQL untouched, so that formatGraphQLError decides what
 * the client sees and what is logged (Nest would otherwise log expected domain errors).
 */
@Catch()
export class PassThroughGraphqlExceptionFilter implements GqlExceptionFilter {
  catch(exception: unknown) {
    return exception;
  }
}
