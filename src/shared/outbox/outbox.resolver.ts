import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../auth/decorators.js';
import { PERMISSIONS } from '../auth/permissions.js';
import { NotFoundError } from '../errors/domain-errors.js';
import { toPage } from '../graphql/pagination.js';
import type { OutboxMessage } from './outbox-message.js';
import { OutboxMessageModel, OutboxMessagePage, OutboxMessagesArgs } from './outbox.models.js';
import { Outbox } from './outbox.service.js';

const shown = (message: OutboxMessage): OutboxMessageModel => ({
  ...message,
  payload: JSON.stringify(message.payload),
});

@Resolver()
export class OutboxResolver {
  constructor(private readonly outbox: Outbox) {}

  @RequirePermission(PERMISSIONS.NOTIFICATIONS_MANAGE)
  @Query(() => OutboxMessagePage, { description: 'Notifications, newest first: what is pending or failed, and why.' })
  async outboxMessages(@Args() { offset, limit, states, channel }: OutboxMessagesArgs) {
    return toPage(
      await this.outbox.list({ states: states ?? undefined, channel: channel ?? undefined }, { offset, limit }),
      shown,
    );
  }

  @RequirePermission(PERMISSIONS.NOTIFICATIONS_MANAGE)
  @Mutation(() => OutboxMessageModel, {
    description: 'Sends a message that was not delivered again, its attempts starting over (CONFLICT once sent).',
  })
  async resendOutboxMessage(@Args('id', { type: () => ID }) id: string) {
    if (!/^\d{1,18}$/.test(id)) throw new NotFoundError('Outbox message', id);
    return shown(await this.outbox.resend(id));
  }
}
