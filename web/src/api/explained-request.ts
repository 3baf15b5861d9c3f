import type { TypedDocumentString } from '../gql/graphql';
import { ApiError, OfflineError, type Session } from './session';

/**
 * A refusal with everything the API said: `extensions.code`, and `reason` and `fields` where
 * given (setPv's OUT_OF_RANGE naming `value`, a threshold's `max` that is not above `min`).
 */
export class RefusedError extends ApiError {
  constructor(
    message: string,
    code: string | undefined,
    readonly reason: string | undefined,
    readonly fields: Readonly<Record<string, string>> | undefined,
  ) {
    super(message, code);
  }
}

interface Answer<R> {
  data?: R | null;
  errors?: Array<{ message: string; extensions?: { code?: string; reason?: string; fields?: Record<string, string> } }>;
}

/**
 * A mutation whose refusal a person must understand and correct (a set-point, a threshold band).
 * Session.request keeps only the code, and takes a 503 for an unreachable service, while a
 * refusal such as BROKER_UNAVAILABLE comes as a 503 with its reason: this keeps both. A refused
 * access token is refreshed once and the request sent again, as Session.request does.
 */
export async function requestExplained<R, V>(
  session: Session,
  document: TypedDocumentString<R, V>,
  variables: V,
): Promise<R> {
  const send = async (forceRefresh: boolean): Promise<R> => {
    const token = await session.token(forceRefresh);
    let response: Response;
    try {
      response = await fetch(`${location.origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: document.toString(), variables }),
      });
    } catch {
      throw new OfflineError('The service cannot be reached');
    }
    const answer = (await response.json().catch(() => null)) as Answer<R> | null;
    const error = answer?.errors?.[0];
    if (error) {
      const { code, reason, fields } = error.extensions ?? {};
      throw new RefusedError(error.message, code, reason, fields);
    }
    if (!answer?.data) throw new OfflineError(`The service is unavailable (${response.status})`);
    return answer.data;
  };
  try {
    return await send(false);
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'UNAUTHENTICATED') throw error;
    return send(true);
  }
}

/** An answer's error as the user should read it: the API's code first (BAD_USER_INPUT, FORBIDDEN…), then its message. */
export function describeError(error: unknown): string {
  if (error instanceof RefusedError) {
    // What each field's problem is, unless the message says it already.
    const fields = Object.entries(error.fields ?? {})
      .filter(([, problem]) => !error.message.includes(problem))
      .map(([field, problem]) => `${field} ${problem}`);
    const reason = error.reason ? ` (${error.reason})` : '';
    return `${error.code ?? 'ERROR'}${reason}: ${error.message}${fields.length ? ` — ${fields.join('; ')}` : ''}`;
  }
  if (error instanceof ApiError) return `${error.code ?? 'ERROR'}: ${error.message}`;
  if (error instanceof OfflineError) return `OFFLINE: ${error.message}`;
  return String(error);
}
