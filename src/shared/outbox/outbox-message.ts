/**
 * The notification outbox's vocabulary: a message for a channel (e-mail, webhook), sent at
 * least once by a worker and carrying its idempotency key so that receivers act once.
 */
export const OUTBOX_STATES = ['PENDING', 'SENT', 'FAILED'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface OutboxMessage<P = unknown> {
  id: string;
  channel: string;
  /** Unique per channel: enqueueing the same key again adds nothing (a re-raised condition, a retried use case). */
  idempotencyKey: string;
  payload: P;
  state: OutboxState;
  /** Sending attempts so far. */
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** Sends one message; throws to have it retried (the error's message is kept as lastError). */
export interface OutboxChannel<P = unknown> {
  readonly name: string;
  send(message: OutboxMessage<P>): Promise<void>;
}

export interface RetryPolicy {
  /** After this many failed attempts a message is FAILED (visible, and re-sendable by hand). */
  maxAttempts: number;
  /** The first retry's delay; each next one doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

/** When the next attempt is due after `attempts` failures; null when the message has failed for good. */
export function nextAttemptDelay(attempts: number, policy: RetryPolicy): number | null {
  if (attempts >= policy.maxAttempts) return null;
  return Math.min(policy.baseDelayMs * 2 ** Math.max(attempts - 1, 0), policy.maxDelayMs);
}

/** An error as kept on the message: its message, bounded (a transport can answer pages). */
export function describeFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}
