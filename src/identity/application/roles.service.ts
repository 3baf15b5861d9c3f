import { Injectable } from '@nestjs/common';
import { ALL_PERMISSIONS } from '../../shared/auth/permissions.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import { ADMIN_ROLE, validatePermissions, validateRoleName, type Role } from '../domain/user.js';
import { AuthService } from './auth.service.js';
import { RoleRepository } from './identity.ports.js';

export interface RoleCommand {
  name: string;
  description?: string;
  permissions: string[];
  authorizeAll?: boolean;
  canMaintain?: boolean;
}

/** Roles: API permissions plus the access flags RFID boards need. */
@Injectable()
export class RolesService {
  constructor(
    private readonly roles: RoleRepository,
    private readonly auth: AuthService,
  ) {}

  list(): Promise<Role[]> {
    return this.roles.list();
  }

  async get(id: string): Promise<Role> {
    const role = await this.roles.findById(id);
    if (!role) throw new NotFoundError('Role', id);
    return role;
  }

  async create(command: RoleCommand): Promise<Role> {
    return this.roles.create({
      name: validateRoleName(command.name),
      description: command.description?.trim() ?? '',
      permissions: validatePermissions(command.permissions),
      authorizeAll: command.authorizeAll ?? false,
      canMaintain: command.canMaintain ?? false,
    });
  }

  async update(id: string, command: Partial<RoleCommand>): Promise<Role> {
    const role = await this.get(id);
    if (command.name !== undefined) {
      const name = validateRoleName(command.name);
      if (role.isSystem && name !== role.name)
        throw new InvalidInputError('Seeded roles cannot be renamed', { name: `"${role.name}" is a seeded role` });
      role.name = name;
    }
    if (command.permissions !== undefined) {
      const permissions = validatePermissions(command.permissions);
      if (role.name === ADMIN_ROLE && ALL_PERMISSIONS.some((p) => !permissions.includes(p)))
        throw new ConflictError('The admin role keeps every permission', { role: ADMIN_ROLE });
      role.permissions = permissions;
    }
    if (command.description !== undefined) role.description = command.description.trim();
    if (command.authorizeAll !== undefined) role.authorizeAll = command.authorizeAll;
    if (command.canMaintain !== undefined) role.canMaintain = command.canMaintain;
    const saved = await this.roles.save(role);
    // Holders may have lost a permission their running subscriptions need.
    if (command.permissions !== undefined) await this.auth.accessChanged(await this.roles.holderIds(id));
    return saved;
  }

  async delete(id: string): Promise<Role> {
    const role = await this.get(id);
    if (role.isSystem) throw new ConflictError(`The seeded role "${role.name}" cannot be deleted`, { role: role.name });
    const holders = await this.roles.countHolders(id);
    if (holders) throw new ConflictError(`Role "${role.name}" is held by ${holders} user(s)`, { holders });
    await this.roles.delete(id);
    return role;
  }
}
