import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Level } from 'pino';

/** The `extensions.code` of the errors a GraphQL response carried, by response. */
const errorCodes = new WeakMap<ServerResponse, string[]>();

/** Remembers the error codes of a GraphQL response for its request log line. */
export function noteGraphqlErrors(res: ServerResponse, codes: string[]): void {
  if (codes.length) errorCodes.set(res, codes);
}

/**
 * The level of a request's log line: a server failure is an error, a client's mistake (4xx)
 * a warning, anything else information.
 */
export function requestLogLevel(_req: IncomingMessage, res: ServerResponse, err?: Error): Level {
  if (err || res.statusCode >= 500) return 'error';
  return res.statusCode >= 400 ? 'warn' : 'info';
}

/** The request log line's fields, with the GraphQL error codes when there were any. */
export function requestLogFields(_req: IncomingMessage, res: ServerResponse, fields: object): object {
  const codes = errorCodes.get(res);
  return codes ? { ...fields, graphqlErrors: codes } : fields;
}
