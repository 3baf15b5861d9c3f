import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { bigintAsNumber } from '../../shared/database/column-transformers.js';

/**
 * Tables of RFID access control. Foreign keys into machines and identity name their
 * entities by string, so that this context's code does not import another context's
 * infrastructure. Deleting a machine takes its access records with it; a user row is
 * never deleted (soft delete), and anonymised records point at no user.
 */
const MACHINE = 'MachineOrmEntity';
const USER = 'UserOrmEntity';

/** User U may use machine M (for machine types that need authorisations). */
@Entity('access_authorizations')
@Index('UQ_access_authorizations_user_machine', ['userId', 'machineId'], { unique: true })
@Index('IDX_access_authorizations_machine', ['machineId'])
export class AuthorizationOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @ManyToOne(USER, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: unknown;
  @Column({ name: 'machine_id', type: 'integer' }) machineId: number;
  @ManyToOne(MACHINE, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machine_id' })
  machine?: unknown;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** A session of a machine. At most one open use per machine (the database guarantees it). */
@Entity('access_uses')
@Index('UQ_access_uses_open_per_machine', ['machineId'], { unique: true, where: '"ended_at" IS NULL' })
@Index('IDX_access_uses_machine_start', ['machineId', 'startedAt'])
@Index('IDX_access_uses_user_start', ['userId', 'startedAt'])
@Index('IDX_access_uses_start', ['startedAt'])
@Index('IDX_access_uses_open_last_seen', ['lastSeenAt'], { where: '"ended_at" IS NULL' })
@Check('CHK_access_uses_closed', '("ended_at" IS NULL) = ("close_reason" IS NULL)')
@Check('CHK_access_uses_origin', `"origin" IN ('board', 'api')`)
@Check('CHK_access_uses_close_reason', `"close_reason" IN ('stop', 'superseded', 'orphaned', 'api')`)
export class UseOrmEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ name: 'machine_id', type: 'integer' }) machineId: number;
  @ManyToOne(MACHINE, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machine_id' })
  machine?: unknown;
  @Column({ name: 'user_id', type: 'uuid', nullable: true }) userId: string | null;
  @ManyToOne(USER, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'user_id' })
  user?: unknown;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt: Date;
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt: Date;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt: Date | null;
  @Column({ name: 'counted_seconds', type: 'integer', nullable: true }) countedSeconds: number | null;
  @Column({ name: 'reported_duration_seconds', type: 'integer', nullable: true })
  reportedDurationSeconds: number | null;
  @Column({ type: 'boolean', default: false }) replay: boolean;
  @Column({ type: 'varchar', length: 10 }) origin: string;
  @Column({ name: 'close_reason', type: 'varchar', length: 12, nullable: true }) closeReason: string | null;
  @Column({ type: 'boolean', default: false }) anonymized: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** Maintenance every N hours of use of one machine. */
@Entity('access_maintenance_plans')
@Index('IDX_access_maintenance_plans_machine', ['machineId'])
@Check('CHK_access_maintenance_plans_hours', '"hours_between" > 0')
export class MaintenancePlanOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ name: 'machine_id', type: 'integer' }) machineId: number;
  @ManyToOne(MACHINE, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machine_id' })
  machine?: unknown;
  @Column({ type: 'text' }) description: string;
  @Column({ name: 'lcd_message', type: 'varchar', length: 40, default: '' }) lcdMessage: string;
  @Column({ name: 'hours_between', type: 'double precision' }) hoursBetween: number;
  @Column({ name: 'instructions_url', type: 'text', nullable: true }) instructionsUrl: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** A maintenance performed (from a board or recorded through the API). */
@Entity('access_interventions')
@Index('IDX_access_interventions_plan_performed', ['planId', 'performedAt'])
@Index('IDX_access_interventions_machine_performed', ['machineId', 'performedAt'])
@Check('CHK_access_interventions_origin', `"origin" IN ('board', 'api')`)
export class InterventionOrmEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ name: 'plan_id', type: 'integer' }) planId: number;
  @ManyToOne(() => MaintenancePlanOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'plan_id' })
  plan?: unknown;
  @Column({ name: 'machine_id', type: 'integer' }) machineId: number;
  @ManyToOne(MACHINE, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machine_id' })
  machine?: unknown;
  @Column({ name: 'user_id', type: 'uuid', nullable: true }) userId: string | null;
  @ManyToOne(USER, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'user_id' })
  user?: unknown;
  @Column({ name: 'performed_at', type: 'timestamptz' }) performedAt: Date;
  @Column({ type: 'varchar', length: 10 }) origin: string;
  @Column({ type: 'boolean', default: false }) replay: boolean;
  @Column({ type: 'text', default: '' }) notes: string;
  @Column({ type: 'boolean', default: false }) anonymized: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** One row per attempt of a card nobody holds. */
@Entity('access_unknown_cards')
@Index('IDX_access_unknown_cards_attempted', ['attemptedAt'])
@Index('IDX_access_unknown_cards_card', ['cardUid'])
export class UnknownCardOrmEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ name: 'card_uid', type: 'varchar', length: 8 }) cardUid: string;
  @Column({ name: 'machine_id', type: 'integer' }) machineId: number;
  @ManyToOne(MACHINE, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machine_id' })
  machine?: unknown;
  @Column({ name: 'attempted_at', type: 'timestamptz' }) attemptedAt: Date;
}

/** The single RFID board of a machine, as its last `alive` described it. */
@Entity('access_boards')
export class BoardOrmEntity {
  @PrimaryColumn({ name: 'machine_id', type: 'integer' }) machineId: number;
  @ManyToOne(MACHINE, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machine_id' })
  machine?: unknown;
  @Column({ name: 'firmware_version', type: 'varchar', length: 200, default: '' }) firmwareVersion: string;
  @Column({ type: 'varchar', length: 64, default: '' }) ip: string;
  @Column({ type: 'varchar', length: 64, default: '' }) serial: string;
  @Column({ type: 'bigint', nullable: true, transformer: bigintAsNumber }) heap: number | null;
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt: Date;
}

export const ACCESS_ORM_ENTITIES = [
  AuthorizationOrmEntity,
  UseOrmEntity,
  MaintenancePlanOrmEntity,
  InterventionOrmEntity,
  UnknownCardOrmEntity,
  BoardOrmEntity,
];
