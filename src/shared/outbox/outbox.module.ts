import { Global, Module } from '@nestjs/common';
import { OutboxRepository } from './outbox.repository.js';
import { OutboxResolver } from './outbox.resolver.js';
import { Outbox } from './outbox.service.js';

/** Notifications that are never lost: the outbox and its worker (outbox.service.ts); channels register with it. */
@Global()
@Module({ providers: [OutboxRepository, Outbox, OutboxResolver], exports: [Outbox] })
export class OutboxModule {}
