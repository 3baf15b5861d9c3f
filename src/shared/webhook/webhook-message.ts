import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidInputError } from '../errors/domain-errors.js';

/**
 * A webhook call as the outbox keeps it. The body is kept as the exact text sent, so every
 * attempt carries the same bytes; the secret is not in here (the outbox is readable by
 * admins over GraphQL): `secretRef` names it in webhook_secrets, read at send time.
 */
export interface WebhookMessage {
  url: string;
  /** A JSON document. */
  body: string;
  /** Where the signing secret is kept (webhook_secrets.ref); null: sent unsigned. */
  secretRef: string | null;
}

export const SIGNATURE_HEADER = 'X-Plantgraph-Signature';
export const TIMESTAMP_HEADER = 'X-Plantgraph-Timestamp';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const ATTEMPT_HEADER = 'X-Plantgraph-Attempt';

const MAX_URL_LENGTH = 2000;
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Only what can be checked without the network: http(s), a host, no credentials in the URL
 * (they would be shown wherever the URL is), no fragment. Where the host leads is checked
 * at every send (webhook-network.ts), since a name can resolve elsewhere later.
 */
export function checkWebhookUrl(text: string, field = 'url'): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidInputError('Not a URL', { [field]: 'must be an absolute http(s) URL' });
  }
  const problem =
    text.length > MAX_URL_LENGTH
      ? `must be at most ${MAX_URL_LENGTH} characters`
      : url.protocol !== 'http:' && url.protocol !== 'https:'
        ? 'must be http or https'
        : !url.hostname
          ? 'must name a host'
          : url.username || url.password
            ? 'must not carry credentials (use the secret: calls are signed)'
            : url.hash
              ? 'must not have a fragment'
              : null;
  if (problem) throw new InvalidInputError(`The webhook URL ${problem}`, { [field]: problem });
  return url;
}

/** Secrets sign calls: long enough not to be guessed, printable, one line. */
export function checkWebhookSecret(secret: string, field = 'secret'): void {
  if (secret.length < 16 || secret.length > 256 || !/^[\x21-\x7e]+$/.test(secret))
    throw new InvalidInputError('The webhook secret must be 16 to 256 printable characters without spaces', {
      [field]: 'must be 16 to 256 printable characters without spaces',
    });
}

/**
 * The signature scheme (README, "Notifications"): HMAC-SHA256 with the channel's secret over
 * `{timestamp}.{body}`, hex, sent as `X-Plantgraph-Signature: t={timestamp},v1={hex}` with the
 * timestamp (Unix seconds of this attempt) also in `X-Plantgraph-Timestamp`. The timestamp
 * inside the signed text lets a receiver refuse replays older than a few minutes.
 */
export function signatureOf(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signatureOf(secret, timestamp, body)}`;
}

/**
 * What a receiver does (and the tests do): parse the header, recompute, compare in constant
 * time, and refuse a timestamp further than `toleranceSeconds` from now.
 */
export function verifySignature(
  header: string | undefined,
  body: string,
  secret: string,
  { now = Date.now(), toleranceSeconds = 300 } = {},
): boolean {
  const parts = new Map(
    (header ?? '').split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(given)) return false;
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  return timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(signatureOf(secret, timestamp, body), 'hex'));
}
