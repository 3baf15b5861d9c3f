import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Paginated } from '../../shared/graphql/pagination.js';

@ObjectType('Role', { description: 'API permissions plus the access flags RFID boards need.' })
export class RoleModel {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field() description: string;
  @Field(() => [String]) permissions: string[];
  @Field({ description: 'Holders may use every machine, even blocked ones (board level 2).' }) authorizeAll: boolean;
  @Field({ description: 'Holders may record maintenance on a board.' }) canMaintain: boolean;
  @Field({ description: 'Seeded roles cannot be renamed or deleted.' }) isSystem: boolean;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

@ObjectType('User')
export class UserModel {
  @Field(() => ID) id: string;
  @Field() email: string;
  @Field() displayName: string;
  @Field(() => String, { nullable: true, description: 'RFID card uid (8 hex characters, lowercase).' })
  cardUid: string | null;
  @Field() disabled: boolean;
  @Field(() => [RoleModel]) roles: RoleModel[];
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

export const UserPage = Paginated(UserModel, 'UserPage');

@ObjectType('AuthPayload')
export class AuthPayloadModel {
  @Field({ description: 'Short-lived JWT: send as "Authorization: Bearer …" or in connection_init.' })
  accessToken: string;
  @Field({ description: 'Revocable token for refreshToken(); rotated on every use.' }) refreshToken: string;
  @Field({ description: 'When the access token expires.' }) expiresAt: Date;
  @Field(() => UserModel) user: UserModel;
}

@ObjectType('Me', { description: 'The caller, with the permissions their roles grant.' })
export class MeModel extends UserModel {
  @Field(() => [String]) permissions: string[];
}

export enum UserChangeKindModel {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  DELETED = 'DELETED',
}
registerEnumType(UserChangeKindModel, { name: 'UserChangeKind' });

@ObjectType('UserChanged')
export class UserChangedModel {
  @Field(() => UserChangeKindModel) kind: UserChangeKindModel;
  @Field(() => UserModel) user: UserModel;
}
