import { Global, Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module.js';
import { WebhookChannel } from './webhook-channel.adapter.js';
import { WebhookSecretsRepository } from './webhook-secrets.repository.js';
import { Webhooks } from './webhooks.service.js';

/** Signed webhook calls through the outbox (webhooks.service.ts). */
@Global()
@Module({
  imports: [OutboxModule],
  providers: [WebhookSecretsRepository, WebhookChannel, Webhooks],
  exports: [Webhooks],
})
export class WebhookModule {}
