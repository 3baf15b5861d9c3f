import { Catch, HttpException, Logger } from '@nestjs/common';
import type { GqlExceptionFilter } from '@nestjs/graphql';
import { HeaderMap } from '@apollo/server';
import {
  GraphQLError,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLErrorExtensions,
  type GraphQLFormattedError,
} from 'graphql';
import { DomainError } from '../errors/domain-errors.js';

const logger = new Logger('GraphQL');

/**
 * Codes of refusals before execution: set by GraphQL itself (parsing, validation, variable
 * coercion), by Apollo (malformed requests) or by the operation guard (limits, inputs,
 * introspection, per-client budget). All are the client's doing.
 */
export type RefusalCode =
  | 'GRAPHQL_PARSE_FAILED'
  | 'GRAPHQL_VALIDATION_FAILED'
  | 'BAD_USER_INPUT'
  | 'BAD_REQUEST'
  | 'OPERATION_RESOLUTION_FAILURE'
  | 'PERSISTED_QUERY_NOT_FOUND'
  | 'PERSISTED_QUERY_NOT_SUPPORTED'
  | 'QUERY_TOO_COMPLEX'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'TOO_MANY_REQUESTS';

const REFUSAL_CODES = new Set<string>([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'QUERY_TOO_COMPLEX',
  'PAYLOAD_TOO_LARGE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'TOO_MANY_REQUESTS',
] satisfies RefusalCode[]);

/**
 * An operation refused before it runs: its code and details in `extensions`, and the HTTP
 * status (and headers) Apollo answers with, taken from `extensions.http` and never shown.
 */
export function refusal(
  message: string,
  code: RefusalCode,
  status: number,
  details: GraphQLErrorExtensions = {},
  headers: Record<string, string> = {},
): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, ...details, http: { status, headers: new HeaderMap(Object.entries(headers)) } },
  });
}

/** graphql-js aborts parsing past `maxTokens` with a syntax error ("more that N tokens", sic); it is a limit, not a typo. */
const TOKEN_LIMIT = /Document contains more tha[nt] (\d+) tokens/;

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
  // Apollo reports a validation rule's error as GRAPHQL_VALIDATION_FAILED: the rule's own code is more precise.
  const ownCode = original instanceof GraphQLError ? original.extensions?.code : undefined;
  const code = typeof ownCode === 'string' && REFUSAL_CODES.has(ownCode) ? ownCode : formatted.extensions?.code;
  if (typeof code === 'string' && REFUSAL_CODES.has(code)) {
    const tokens = code === 'GRAPHQL_PARSE_FAILED' ? TOKEN_LIMIT.exec(formatted.message) : null;
    if (tokens)
      return {
        ...base,
        message: `Query is too large: more than ${tokens[1]} tokens`,
        extensions: { code: 'QUERY_TOO_COMPLEX', maxTokens: Number(tokens[1]) },
      };
    return { ...base, extensions: { ...pickPublicExtensions(formatted.extensions ?? {}), code } };
  }
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
  // `http` is Apollo's instruction for the response; over graphql-ws nobody takes it out.
  const { stacktrace: _stack, exception: _exception, http: _http, ...rest } = extensions;
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
