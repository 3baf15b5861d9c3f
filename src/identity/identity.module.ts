import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PrincipalResolver } from '../shared/auth/principal.js';
import { DatabaseModule } from '../shared/database/database.module.js';
import { AdminBootstrapService } from './application/admin-bootstrap.service.js';
import { AuthService } from './application/auth.service.js';
import {
  LoginThrottle,
  PasswordHasher,
  RefreshTokenRepository,
  RoleRepository,
  UserRepository,
} from './application/identity.ports.js';
import { RolesService } from './application/roles.service.js';
import { UsersService } from './application/users.service.js';
import { IDENTITY_ORM_ENTITIES } from './infrastructure/identity.orm-entities.js';
import { RateLimitedLoginThrottle } from './infrastructure/login-throttle.adapter.js';
import { ScryptPasswordHasher } from './infrastructure/password-hasher.adapter.js';
import {
  TypeormRefreshTokenRepository,
  TypeormRoleRepository,
  TypeormUserRepository,
} from './infrastructure/identity.repositories.js';
import { AuthResolver } from './presentation/auth.resolver.js';
import { RolesResolver } from './presentation/roles.resolver.js';
import { UsersResolver } from './presentation/users.resolver.js';

/**
 * identity: users, roles and permissions, login and tokens.
 * Exports UsersService (card holders for access control) and PrincipalResolver (for auth).
 */
@Module({
  imports: [TypeOrmModule.forFeature(IDENTITY_ORM_ENTITIES), DatabaseModule],
  providers: [
    AuthService,
    UsersService,
    RolesService,
    AdminBootstrapService,
    { provide: PrincipalResolver, useExisting: AuthService },
    { provide: UserRepository, useClass: TypeormUserRepository },
    { provide: RoleRepository, useClass: TypeormRoleRepository },
    { provide: RefreshTokenRepository, useClass: TypeormRefreshTokenRepository },
    { provide: PasswordHasher, useClass: ScryptPasswordHasher },
    { provide: LoginThrottle, useClass: RateLimitedLoginThrottle },
    AuthResolver,
    UsersResolver,
    RolesResolver,
  ],
  exports: [UsersService, PrincipalResolver, AdminBootstrapService],
})
export class IdentityModule {}
