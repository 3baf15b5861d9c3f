import { ArgsType, Field, Float, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsIn, IsOptional } from 'class-validator';
import { PageArgs, Paginated } from '../graphql/pagination.js';
import type { UnregisteredSourceKind } from './unregistered-sources.js';

export const UnregisteredSourceKindEnum = {
  MACHINE: 'machine',
  AXIS: 'axis',
  SENSOR: 'sensor',
  PV: 'pv',
} as const satisfies Record<string, UnregisteredSourceKind>;
registerEnumType(UnregisteredSourceKindEnum, {
  name: 'UnregisteredSourceKind',
  description: 'What an unregistered topic would belong to once registered.',
});

@ObjectType('UnregisteredSource', {
  description:
    'A topic that carried data for a source nobody registered (or for an axis its machine lacks); that data was refused.',
})
export class UnregisteredSourceModel {
  @Field() topic: string;
  @Field(() => UnregisteredSourceKindEnum) kind: UnregisteredSourceKind;
  @Field({ description: 'The machine code (sensor name, PV name) in the topic.' }) sourceKey: string;
  @Field(() => String, {
    nullable: true,
    description: 'The missing part of a registered source (the axis, for kind AXIS); null when the source is missing.',
  })
  part: string | null;
  @Field() firstSeenAt: Date;
  @Field() lastSeenAt: Date;
  /** Float, not Int: a flooding device can outgrow a 32-bit integer. */
  @Field(() => Float, { description: 'Messages refused so far (a whole number).' }) messageCount: number;
}

export const UnregisteredSourcePage = Paginated(UnregisteredSourceModel, 'UnregisteredSourcePage');

@ArgsType()
export class UnregisteredSourcesArgs extends PageArgs {
  @Field(() => UnregisteredSourceKindEnum, {
    nullable: true,
    description: 'Every kind the caller may see when omitted.',
  })
  @IsOptional()
  @IsIn(Object.values(UnregisteredSourceKindEnum))
  kind?: UnregisteredSourceKind | null;
}
