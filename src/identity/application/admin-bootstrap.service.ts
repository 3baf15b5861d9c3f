import { randomBytes } from 'node:crypto';
import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { ALL_PERMISSIONS } from '../../shared/auth/permissions.js';
import { ADMIN_ROLE } from '../domain/user.js';
import { UserRepository } from './identity.ports.js';
import { UsersService } from './users.service.js';

export type AdminBootstrapReport =
  { kind: 'existing' } | { kind: 'configured'; email: string } | { kind: 'generated'; email: string; password: string };

/**
 * On the first start (no active admin), creates the admin from ADMIN_EMAIL/ADMIN_PASSWORD,
 * or with a generated password that main.ts prints once.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  report: AdminBootstrapReport = { kind: 'existing' };

  constructor(
    private readonly users: UserRepository,
    private readonly usersService: UsersService,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if ((await this.users.countActiveAdmins()) > 0) return;
    const password = this.config.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
    const email = this.config.ADMIN_EMAIL;
    const system = { permissions: new Set<string>(ALL_PERMISSIONS) };
    const existing = await this.users.findByEmail(email.toLowerCase());
    if (existing) {
      await this.usersService.update(
        existing.id,
        {
          roles: [...new Set([...existing.roles.map((r) => r.name), ADMIN_ROLE])],
          disabled: false,
          password,
        },
        system,
      );
    } else {
      await this.usersService.create({ email, displayName: 'Administrator', password, roles: [ADMIN_ROLE] }, system);
    }
    this.report = this.config.ADMIN_PASSWORD ? { kind: 'configured', email } : { kind: 'generated', email, password };
  }
}
