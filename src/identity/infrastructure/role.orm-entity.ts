import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from '../domain/user.js';

@Entity('roles')
@Index('UQ_roles_name', ['name'], { unique: true })
export class RoleOrmEntity implements Role {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ type: 'varchar', length: 50 }) name: string;
  @Column({ type: 'text', default: '' }) description: string;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) permissions: string[];
  @Column({ name: 'authorize_all', type: 'boolean', default: false }) authorizeAll: boolean;
  @Column({ name: 'can_maintain', type: 'boolean', default: false }) canMaintain: boolean;
  @Column({ name: 'is_system', type: 'boolean', default: false }) isSystem: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
