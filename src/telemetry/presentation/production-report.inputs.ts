import { ArgsType, Field } from '@nestjs/graphql';
import { IsString, Length } from 'class-validator';

@ArgsType()
export class MachineDayArgs {
  @Field() @IsString() @Length(1, 64) machineCode: string;
  @Field({ description: 'A UTC calendar day, YYYY-MM-DD.' }) @IsString() @Length(10, 10) date: string;
}
