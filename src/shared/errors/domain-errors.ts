/**
 * Errors raised by domain and application code. Plain classes with a code: they carry no
 * HTTP or GraphQL knowledge; shared/graphql maps them to `extensions.code` in one place.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'TOO_MANY_REQUESTS'
  | 'SERVICE_UNAVAILABLE';

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  constructor(
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that is well-formed but not acceptable; `fields` names the offending fields. */
export class InvalidInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor(message: string, fields: Record<string, string>) {
    super(message, { fields });
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(entity: string, key: string | number) {
    super(`${entity} ${JSON.stringify(key)} not found`, { entity, key });
  }
}

export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'Authentication required') {
    super(message);
  }
}

export class TooManyRequestsError extends DomainError {
  readonly code = 'TOO_MANY_REQUESTS';
  constructor(message: string, retryAfterSeconds: number) {
    super(message, { retryAfterSeconds });
  }
}

/** A dependency (the database) is unavailable: nothing is wrong with the request, and it may be retried. */
export class ServiceUnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(message: string, retryAfterSeconds: number) {
    super(message, { retryable: true, retryAfterSeconds });
  }
}
