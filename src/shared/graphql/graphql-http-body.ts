import type { IncomingMessage } from 'node:http';
import { Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/** JSON bodies up to this size from anyone (body-parser's own default, which the service has always had). */
export const MAX_BODY_BYTES = 100 * 1024;
/**
 * JSON bodies up to this size from a caller whose request carries a valid access token: the
 * files of the imports (a sensor's readings CSV, an experiments configuration) travel in the
 * request. An anonymous client still cannot make the service parse more than MAX_BODY_BYTES.
 */
export const MAX_AUTHENTICATED_BODY_BYTES = 16 * 1024 * 1024;

/**
 * A file in an import's argument (a readings CSV, sea currents, an experiments configuration):
 * at most this many characters, well inside MAX_AUTHENTICATED_BODY_BYTES once JSON-escaped.
 */
export const MAX_IMPORTED_FILE_CHARS = 8 * 1024 * 1024;

const logger = new Logger('GraphQL');

/** Set on a request whose declared body exceeds MAX_BODY_BYTES and whose access token verifies. */
const LARGE_BODY_ALLOWED = Symbol('largeBodyAllowed');
type FlaggedRequest = IncomingMessage & { [LARGE_BODY_ALLOWED]?: boolean };

/** What body-parser attaches to the errors it raises. */
interface BodyParserError extends Error {
  type: string;
  status: number;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  const candidate = error as Partial<BodyParserError> | undefined;
  return typeof candidate?.type === 'string' && typeof candidate.status === 'number';
}

const JSON_TYPE = /^application\/([\w!#$%&*.^`|~-]+\+)?json\s*(;|$)/i;

/**
 * Parses JSON request bodies and answers the client's mistakes with them (too large, not
 * JSON) in the shape of a GraphQL response, as Apollo answers every other bad request.
 * A body over MAX_BODY_BYTES is read only when its request carries a valid access token
 * (checked by signature and expiry alone, before the body is read); the operation is then
 * authorised as any other. Call before the app starts: the handler must follow the parsers.
 */
export function parseGraphqlBodies(app: NestExpressApplication): void {
  const jwt = app.get(JwtService, { strict: false });
  app.use((req: FlaggedRequest, _res: Response, next: NextFunction) => {
    if (!(Number(req.headers['content-length']) > MAX_BODY_BYTES)) return next();
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token) return next();
    jwt
      .verifyAsync(token, { algorithms: ['HS256'] })
      .then(
        () => (req[LARGE_BODY_ALLOWED] = true),
        () => undefined, // refused below as too large; the token itself is judged with the operation
      )
      .finally(() => next());
  });
  const json = (req: FlaggedRequest) => JSON_TYPE.test(req.headers['content-type'] ?? '');
  app.useBodyParser('json', {
    limit: MAX_AUTHENTICATED_BODY_BYTES,
    type: (req: FlaggedRequest) => req[LARGE_BODY_ALLOWED] === true && json(req),
  });
  app.useBodyParser('json', {
    limit: MAX_BODY_BYTES,
    type: (req: FlaggedRequest) => req[LARGE_BODY_ALLOWED] !== true && json(req),
  });
  app.use(answerBodyErrors);
}

function answerBodyErrors(error: unknown, req: Request, res: Response, next: NextFunction): void {
  if (!isBodyParserError(error) || error.status < 400 || error.status >= 500) return next(error);
  const tooLarge = error.status === 413;
  const code = tooLarge ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
  const message = tooLarge
    ? (req as FlaggedRequest)[LARGE_BODY_ALLOWED]
      ? `Request body too large: at most ${MAX_AUTHENTICATED_BODY_BYTES / 1024 / 1024} MiB`
      : `Request body too large: at most ${MAX_BODY_BYTES / 1024} KiB (${MAX_AUTHENTICATED_BODY_BYTES / 1024 / 1024} MiB with a valid access token)`
    : `Request body could not be read as JSON: ${error.message}`;
  // Such requests never reach the request log (it runs after the parser): one line of our own.
  logger.warn({ status: error.status, code, method: req.method, url: req.originalUrl }, message);
  res.status(error.status).json({ errors: [{ message, extensions: { code } }] });
}
