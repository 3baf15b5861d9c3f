import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, In, IsNull, type Repository } from 'typeorm';
import { translateUniqueViolation } from '../../shared/database/unique-violation.js';
import { isUuid } from '../../shared/database/uuid.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { ADMIN_ROLE, type Role, type User } from '../domain/user.js';
import {
  RefreshTokenRepository,
  RoleRepository,
  UserRepository,
  type NewRole,
  type NewUser,
  type StoredRefreshToken,
  type UserFilter,
} from '../application/identity.ports.js';
import { RefreshTokenOrmEntity } from './refresh-token.orm-entity.js';
import { RoleOrmEntity } from './role.orm-entity.js';
import { UserOrmEntity } from './user.orm-entity.js';

const USER_CONSTRAINTS = {
  UQ_users_email_live: { field: 'email', message: 'A user with this e-mail already exists' },
  UQ_users_card_uid_live: { field: 'cardUid', message: 'Another user holds this card' },
};

@Injectable()
export class TypeormUserRepository extends UserRepository {
  constructor(@InjectRepository(UserOrmEntity) private readonly repo: Repository<UserOrmEntity>) {
    super();
  }

  async findById(id: string): Promise<User | null> {
    return isUuid(id) ? this.repo.findOneBy({ id, deletedAt: IsNull() }) : null;
  }

  findByEmail(email: string): Promise<User | null> {
    return this.repo.findOneBy({ email, deletedAt: IsNull() });
  }

  findByCardUid(cardUid: string): Promise<User | null> {
    // One round trip (findOneBy with the eager roles takes two): every RFID request asks this.
    return this.repo
      .createQueryBuilder('user')
      .leftJoinAndSelect('user.roles', 'role')
      .where('user.card_uid = :cardUid AND user.deleted_at IS NULL', { cardUid })
      .getOne();
  }

  async list(filter: UserFilter, page: { offset: number; limit: number }): Promise<PageResult<User>> {
    const query = this.repo
      .createQueryBuilder('user')
      .leftJoinAndSelect('user.roles', 'role')
      .where('user.deleted_at IS NULL')
      .orderBy('user.email', 'ASC')
      .skip(page.offset)
      .take(page.limit);
    if (filter.text)
      query.andWhere(
        new Brackets((q) =>
          q
            .where('user.email ILIKE :text', { text: `%${escapeLike(filter.text!)}%` })
            .orWhere('user.display_name ILIKE :text')
            .orWhere('user.card_uid ILIKE :text'),
        ),
      );
    if (filter.disabled !== undefined) query.andWhere('user.disabled = :disabled', { disabled: filter.disabled });
    if (filter.role)
      query.andWhere(
        'user.id IN (SELECT ur.user_id FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.name = :role)',
        { role: filter.role.toLowerCase() },
      );
    const [items, totalCount] = await query.getManyAndCount();
    return { items, totalCount, ...page };
  }

  create(user: NewUser): Promise<User> {
    return translateUniqueViolation(this.repo.save(this.repo.create(user)), USER_CONSTRAINTS);
  }

  save(user: User): Promise<User> {
    return translateUniqueViolation(this.repo.save(user as UserOrmEntity), USER_CONSTRAINTS);
  }

  countActiveAdmins(): Promise<number> {
    return this.repo
      .createQueryBuilder('user')
      .innerJoin('user.roles', 'role', 'role.name = :admin', { admin: ADMIN_ROLE })
      .where('user.deleted_at IS NULL AND user.disabled = false')
      .getCount();
  }

  async displayNames(ids: readonly string[]): Promise<Map<string, string>> {
    const valid = ids.filter(isUuid);
    if (!valid.length) return new Map();
    const rows = await this.repo.find({ select: { id: true, displayName: true }, where: { id: In(valid) } });
    return new Map(rows.map((row) => [row.id, row.displayName]));
  }
}

@Injectable()
export class TypeormRoleRepository extends RoleRepository {
  constructor(@InjectRepository(RoleOrmEntity) private readonly repo: Repository<RoleOrmEntity>) {
    super();
  }

  list(): Promise<Role[]> {
    return this.repo.find({ order: { name: 'ASC' } });
  }

  async findById(id: string): Promise<Role | null> {
    return isUuid(id) ? this.repo.findOneBy({ id }) : null;
  }

  findByNames(names: string[]): Promise<Role[]> {
    return this.repo.findBy({ name: In(names) });
  }

  create(role: NewRole): Promise<Role> {
    return translateUniqueViolation(this.repo.save(this.repo.create(role)), {
      UQ_roles_name: { field: 'name', message: 'A role with this name already exists' },
    });
  }

  save(role: Role): Promise<Role> {
    return translateUniqueViolation(this.repo.save(role as RoleOrmEntity), {
      UQ_roles_name: { field: 'name', message: 'A role with this name already exists' },
    });
  }

  async delete(id: string): Promise<void> {
    await this.repo.delete({ id });
  }

  async countHolders(id: string): Promise<number> {
    const [{ count }] = await this.repo.query(
      'SELECT count(*)::int AS count FROM user_roles ur JOIN users u ON u.id = ur.user_id WHERE ur.role_id = $1 AND u.deleted_at IS NULL',
      [id],
    );
    return count;
  }
}

@Injectable()
export class TypeormRefreshTokenRepository extends RefreshTokenRepository {
  constructor(@InjectRepository(RefreshTokenOrmEntity) private readonly repo: Repository<RefreshTokenOrmEntity>) {
    super();
  }

  create(token: Omit<StoredRefreshToken, 'id' | 'revokedAt'>): Promise<StoredRefreshToken> {
    return this.repo.save(this.repo.create({ ...token, revokedAt: null }));
  }

  async findById(id: string): Promise<StoredRefreshToken | null> {
    return isUuid(id) ? this.repo.findOneBy({ id }) : null;
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.repo.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  async revokeAllOf(userId: string): Promise<void> {
    await this.repo.update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
