import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InvalidInputError } from '../errors/domain-errors.js';
import { Outbox } from '../outbox/outbox.service.js';
import { WEBHOOK_CHANNEL, WebhookChannel } from './webhook-channel.adapter.js';
import { checkWebhookSecret, checkWebhookUrl, MAX_BODY_BYTES } from './webhook-message.js';
import { WebhookAddressRefused, ipLiteralOf } from './webhook-network.js';
import { WebhookSecretsRepository } from './webhook-secrets.repository.js';

/**
 * Webhooks for every context (alarm notification rules), like the Mailer for e-mail: a call
 * is checked here, enqueued in the caller's transaction and POSTed by the outbox worker,
 * retried until delivered or visibly FAILED. `idempotencyKey` names the cause and reaches the
 * receiver as `Idempotency-Key`; the same key again adds nothing. Signing secrets are kept
 * by reference (setSecret), never in the outbox and never logged.
 */
@Injectable()
export class Webhooks implements OnModuleInit {
  constructor(
    private readonly outbox: Outbox,
    private readonly channel: WebhookChannel,
    private readonly secrets: WebhookSecretsRepository,
  ) {}

  onModuleInit(): void {
    this.outbox.registerChannel(this.channel);
  }

  /**
   * Throws InvalidInputError (field `url`) for a URL no call may go to: not http(s), with
   * credentials, or an IP literal outside the allowed networks. A name is checked at send time.
   */
  checkUrl(url: string, field = 'url'): void {
    const parsed = checkWebhookUrl(url, field);
    const literal = ipLiteralOf(parsed);
    try {
      if (literal) this.channel.policy.check(literal);
    } catch (error) {
      if (!(error instanceof WebhookAddressRefused)) throw error;
      throw new InvalidInputError(`The webhook URL is refused: ${error.message}`, { [field]: error.message });
    }
  }

  /**
   * True when enqueued, false when this key was enqueued before. `secretRef`: see setSecret.
   * Only the URL's form is checked here: where it leads is checked at every send, so that a
   * change of WEBHOOK_ALLOWED_NETWORKS shows as a FAILED message rather than failing the caller.
   */
  async send(
    call: { url: string; body: unknown; secretRef?: string | null },
    idempotencyKey: string,
  ): Promise<boolean> {
    checkWebhookUrl(call.url);
    const body = JSON.stringify(call.body);
    if (Buffer.byteLength(body) > MAX_BODY_BYTES)
      throw new InvalidInputError('The webhook body is too large', { body: `must be at most ${MAX_BODY_BYTES} bytes` });
    return this.outbox.enqueue(WEBHOOK_CHANNEL, idempotencyKey, {
      url: call.url,
      body,
      secretRef: call.secretRef ?? null,
    });
  }

  /** Sets (or, with null, removes) the secret calls with this reference are signed with; joins the caller's transaction. */
  async setSecret(ref: string, secret: string | null, field = 'secret'): Promise<void> {
    if (secret === null) return this.secrets.delete(ref);
    checkWebhookSecret(secret, field);
    await this.secrets.set(ref, secret);
  }

  /** Which of these references have a secret: what may be shown of them. */
  withSecrets(refs: readonly string[]): Promise<Set<string>> {
    return this.secrets.existing(refs);
  }
}
