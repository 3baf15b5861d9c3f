import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Outbox } from '../outbox/outbox.service.js';
import { EMAIL_CHANNEL, EmailChannel } from './email-channel.adapter.js';
import { checkEmail, type EmailMessage } from './email-message.js';

/**
 * E-mail for every context (experiments' threshold e-mails, alarm notification rules): checked
 * here, then enqueued in the caller's transaction and sent by the outbox worker, retried until
 * delivered or visibly FAILED. `idempotencyKey` names the cause ("pv-threshold:12:episode:7"):
 * sending for the same cause again adds nothing.
 */
@Injectable()
export class Mailer implements OnModuleInit {
  constructor(
    private readonly outbox: Outbox,
    private readonly channel: EmailChannel,
  ) {}

  onModuleInit(): void {
    this.outbox.registerChannel(this.channel);
  }

  /** True when enqueued, false when this key was enqueued before. */
  async send(message: EmailMessage, idempotencyKey: string): Promise<boolean> {
    checkEmail(message);
    return this.outbox.enqueue(EMAIL_CHANNEL, idempotencyKey, message);
  }
}
