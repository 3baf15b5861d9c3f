import { Field, Float, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Paginated } from '../../shared/graphql/pagination.js';
import type { UnregisteredSourceKind } from '../application/ingestion.ports.js';

export const UnregisteredSourceKindEnum = { MACHINE: 'machine' } as const satisfies Record<
  string,
  UnregisteredSourceKind
>;
registerEnumType(UnregisteredSourceKindEnum, {
  name: 'UnregisteredSourceKind',
  description: 'What an unregistered topic would belong to once registered.',
});

@ObjectType('UnregisteredSource', {
  description: 'A topic that carried data for a source nobody registered; its messages were refused.',
})
export class UnregisteredSourceModel {
  @Field() topic: string;
  @Field(() => UnregisteredSourceKindEnum) kind: UnregisteredSourceKind;
  @Field({ description: 'The machine code (sensor name, PV name) in the topic.' }) sourceKey: string;
  @Field() firstSeenAt: Date;
  @Field() lastSeenAt: Date;
  /** Float, not Int: a flooding device can outgrow a 32-bit integer. */
  @Field(() => Float, { description: 'Messages refused so far (a whole number).' }) messageCount: number;
}

export const UnregisteredSourcePage = Paginated(UnregisteredSourceModel, 'UnregisteredSourcePage');
