import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageArgs, Paginated } from '../graphql/pagination.js';
import { OUTBOX_STATES, type OutboxState } from './outbox-message.js';

export const OutboxStateEnum = { PENDING: 'PENDING', SENT: 'SENT', FAILED: 'FAILED' } as const;
registerEnumType(OutboxStateEnum, {
  name: 'OutboxState',
  description:
    'PENDING: to be sent (again); SENT: delivered; FAILED: given up after OUTBOX_MAX_ATTEMPTS (re-sendable).',
});

@ObjectType('OutboxMessage', { description: 'A notification (an e-mail, a webhook call) and how sending it goes.' })
export class OutboxMessageModel {
  @Field(() => ID) id: string;
  @Field({ description: "'email' or 'webhook'." }) channel: string;
  @Field({ description: 'What caused it; unique per channel, and handed to the receiver (Message-ID, header).' })
  idempotencyKey: string;
  @Field({ description: 'The message as JSON (an e-mail: to, subject, text).' }) payload: string;
  @Field(() => OutboxStateEnum) state: OutboxState;
  @Field(() => Int) attempts: number;
  @Field({ description: 'When a PENDING message is tried next.' }) nextAttemptAt: Date;
  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' }) lastError: string | null;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) sentAt: Date | null;
}

export const OutboxMessagePage = Paginated(OutboxMessageModel, 'OutboxMessagePage');

@ArgsType()
export class OutboxMessagesArgs extends PageArgs {
  @Field(() => [OutboxStateEnum], { nullable: true, description: 'Only these states (e.g. [FAILED]).' })
  @IsOptional()
  @IsIn(OUTBOX_STATES, { each: true })
  states?: OutboxState[] | null;

  @Field(() => String, { nullable: true, description: "Only this channel ('email', 'webhook')." })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  channel?: string | null;
}
