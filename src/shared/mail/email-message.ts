import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors/domain-errors.js';

/** An e-mail as the outbox keeps it (plain text: notifications, not newsletters). */
export interface EmailMessage {
  to: string[];
  subject: string;
  text: string;
}

/** Pragmatic: one @, no spaces or angle brackets, a dot in the domain. */
const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** Throws InvalidInputError naming the field. */
export function checkEmail(message: EmailMessage): void {
  if (!message.to.length || message.to.length > 50)
    throw new InvalidInputError('An e-mail needs 1 to 50 recipients', { to: 'must hold 1 to 50 addresses' });
  const bad = message.to.find((address) => !ADDRESS.test(address) || address.length > 254);
  if (bad !== undefined)
    throw new InvalidInputError(`Not an e-mail address: ${bad}`, { to: `${bad} is not an address` });
  if (!message.subject.trim() || message.subject.length > 300 || /[\r\n]/.test(message.subject))
    throw new InvalidInputError('The subject must be one line of 1 to 300 characters', { subject: 'invalid' });
  if (message.text.length > 100_000)
    throw new InvalidInputError('The text is too long', { text: 'must be at most 100,000 characters' });
}

/**
 * The Message-ID of the e-mail an idempotency key stands for: the same for every attempt, so
 * a receiving system that deduplicates on it shows one e-mail after a retry.
 */
export function messageIdOf(idempotencyKey: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@plantgraph.outbox>`;
}
