import { ArgsType, Field, Float, InputType } from '@nestjs/graphql';
import { IsNumber, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageArgs } from '../../shared/graphql/pagination.js';

const FINITE = { allowNaN: false, allowInfinity: false };

/** Types and lengths here (the edge); min < max and the e-mail in the service, naming the field. */
@InputType()
export class PvThresholdSubscriptionInput {
  @Field(() => String, { nullable: true, description: "Where e-mails go; default: the caller's e-mail." })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string | null;
  @Field(() => Float, { nullable: true, description: "Lower limit; default: the PV's thresholdMin." })
  @IsOptional()
  @IsNumber(FINITE)
  min?: number | null;
  @Field(() => Float, {
    nullable: true,
    description: "Upper limit (greater than min); default: the PV's thresholdMax.",
  })
  @IsOptional()
  @IsNumber(FINITE)
  max?: number | null;
}

@ArgsType()
export class PvThresholdSubscriptionsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Only this user’s.' })
  @IsOptional()
  @IsUUID()
  userId?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(100) pvName?: string | null;
}

@ArgsType()
export class PvThresholdEpisodesArgs extends PageArgs {
  @Field() @IsString() @MaxLength(100) pvName: string;
  @Field(() => String, { nullable: true, description: "Administrators: another user's subscription." })
  @IsOptional()
  @IsUUID()
  userId?: string | null;
}
