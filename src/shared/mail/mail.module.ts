import { Global, Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module.js';
import { EmailChannel } from './email-channel.adapter.js';
import { Mailer } from './mailer.service.js';

/** E-mail through the outbox (mailer.service.ts). */
@Global()
@Module({ imports: [OutboxModule], providers: [EmailChannel, Mailer], exports: [Mailer] })
export class MailModule {}
