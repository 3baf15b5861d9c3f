import { RefreshTokenOrmEntity } from './refresh-token.orm-entity.js';
import { RoleOrmEntity } from './role.orm-entity.js';
import { UserOrmEntity } from './user.orm-entity.js';

export const IDENTITY_ORM_ENTITIES = [UserOrmEntity, RoleOrmEntity, RefreshTokenOrmEntity];
