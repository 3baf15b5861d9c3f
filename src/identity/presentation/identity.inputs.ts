import { ArgsType, Field, InputType, PartialType } from '@nestjs/graphql';
import { IsBoolean, IsEmail, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PageArgs } from '../../shared/graphql/pagination.js';

@InputType()
export class LoginInput {
  @Field() @IsEmail() @MaxLength(320) email: string;
  @Field() @IsString() @Length(1, 200) password: string;
}

@InputType()
export class ChangePasswordInput {
  @Field() @IsString() @Length(1, 200) currentPassword: string;
  @Field() @IsString() @Length(8, 200) newPassword: string;
}

@InputType()
export class CreateUserInput {
  @Field() @IsEmail() @MaxLength(320) email: string;
  @Field() @IsString() @Length(1, 200) displayName: string;
  @Field({ nullable: true, description: 'Omit for card-only users (they cannot log in to the API).' })
  @IsOptional()
  @IsString()
  @Length(8, 200)
  password?: string;
  @Field({ nullable: true, description: 'RFID card uid, 8 hex characters.' })
  @IsOptional()
  @Matches(/^[0-9a-fA-F]{8}$/, { message: 'cardUid must be 8 hexadecimal characters' })
  cardUid?: string;
  @Field(() => [String], { defaultValue: ['operator'] }) @IsString({ each: true }) roles: string[];
  @Field({ defaultValue: false }) @IsBoolean() disabled: boolean;
}

@InputType()
/** Only the fields given change: the create defaults (roles, disabled) must not apply to updates. */
export class UpdateUserInput extends PartialType(CreateUserInput, { omitDefaultValues: true }) {}

@ArgsType()
export class UsersArgs extends PageArgs {
  @Field({ nullable: true, description: 'Matches e-mail, display name or card uid.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  text?: string;
  @Field({ nullable: true, description: 'Only holders of this role.' }) @IsOptional() @IsString() role?: string;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() disabled?: boolean;
}

@InputType()
export class CreateRoleInput {
  @Field() @IsString() @Length(2, 50) name: string;
  @Field({ defaultValue: '' }) @IsString() @MaxLength(500) description: string;
  @Field(() => [String], { defaultValue: [] }) @IsString({ each: true }) permissions: string[];
  @Field({ defaultValue: false }) @IsBoolean() authorizeAll: boolean;
  @Field({ defaultValue: false }) @IsBoolean() canMaintain: boolean;
}

@InputType()
export class UpdateRoleInput extends PartialType(CreateRoleInput, { omitDefaultValues: true }) {}
