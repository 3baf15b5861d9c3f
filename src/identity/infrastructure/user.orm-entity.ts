import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinTable,
  ManyToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { User } from '../domain/user.js';
import { RoleOrmEntity } from './role.orm-entity.js';

@Entity('users')
@Index('UQ_users_email_live', ['email'], { unique: true, where: '"deleted_at" IS NULL' })
@Index('UQ_users_card_uid_live', ['cardUid'], {
  unique: true,
  where: '"deleted_at" IS NULL AND "card_uid" IS NOT NULL',
})
export class UserOrmEntity implements User {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 320 }) email: string;
  @Column({ name: 'display_name', type: 'varchar', length: 200 }) displayName: string;
  @Column({ name: 'card_uid', type: 'varchar', length: 8, nullable: true }) cardUid: string | null;
  @Column({ name: 'password_hash', type: 'text', nullable: true }) passwordHash: string | null;
  @Column({ type: 'boolean', default: false }) disabled: boolean;
  @Column({ name: 'session_version', type: 'integer', default: 0 }) sessionVersion: number;
  @ManyToMany(() => RoleOrmEntity, { eager: true })
  @JoinTable({
    name: 'user_roles',
    joinColumn: { name: 'user_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'role_id', referencedColumnName: 'id' },
  })
  roles: RoleOrmEntity[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt: Date | null;
}
