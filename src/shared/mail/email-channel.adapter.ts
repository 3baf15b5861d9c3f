import { Injectable, Logger } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { AppConfig } from '../../config/app-config.js';
import type { OutboxChannel, OutboxMessage } from '../outbox/outbox-message.js';
import { messageIdOf, type EmailMessage } from './email-message.js';

export const EMAIL_CHANNEL = 'email';

/** No SMTP server configured: the message waits, retried, with this as its last error. */
export class MailNotConfiguredError extends Error {
  constructor() {
    super('No SMTP server is configured (SMTP_HOST): the e-mail waits in the outbox');
  }
}

/**
 * The outbox's e-mail channel: SMTP through nodemailer (SMTP_HOST, SMTP_PORT, SMTP_SECURE,
 * SMTP_REQUIRE_TLS, SMTP_USER, SMTP_PASSWORD, MAIL_FROM). The idempotency key becomes the
 * Message-ID, the same on every attempt.
 */
@Injectable()
export class EmailChannel implements OutboxChannel<EmailMessage> {
  readonly name = EMAIL_CHANNEL;
  private readonly logger = new Logger(EmailChannel.name);
  private readonly transport: Transporter | null;

  constructor(private readonly config: AppConfig) {
    this.transport = config.SMTP_HOST
      ? createTransport({
          host: config.SMTP_HOST,
          port: config.SMTP_PORT,
          secure: config.SMTP_SECURE,
          requireTLS: config.SMTP_REQUIRE_TLS,
          auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? '' } : undefined,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        })
      : null;
    if (!this.transport) this.logger.warn('No SMTP server configured (SMTP_HOST): e-mails wait in the outbox');
  }

  async send(message: OutboxMessage<EmailMessage>): Promise<void> {
    if (!this.transport) throw new MailNotConfiguredError();
    const { to, subject, text } = message.payload;
    await this.transport.sendMail({
      from: this.config.MAIL_FROM,
      to,
      subject,
      text,
      messageId: messageIdOf(message.idempotencyKey),
      headers: { 'X-Plantgraph-Idempotency-Key': message.idempotencyKey },
    });
  }
}
