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
} from 'typeorm';

/**
 * The experiments registry, assignments and the record of PV sets. PV values are
 * range-partitioned by day and written in bulk with SQL: they have no entity (migration
 * Experiments). Assignments and sets point at identity's users by id (foreign keys only).
 */

@Entity('experiments')
@Index('UQ_experiments_name', ['name'], { unique: true })
export class ExperimentOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ name: 'display_name', type: 'varchar', length: 200, nullable: true }) displayName: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('pvs')
@Index('UQ_pvs_name', ['name'], { unique: true })
@Index('IDX_pvs_experiment', ['experimentId'])
@Check('CHK_pvs_type', `"type" IN ('NUMBER', 'TEXT')`)
@Check('CHK_pvs_thresholds', '"threshold_min" IS NULL OR "threshold_max" IS NULL OR "threshold_min" < "threshold_max"')
@Check('CHK_pvs_set_range', '"set_min" IS NULL OR "set_max" IS NULL OR "set_min" <= "set_max"')
export class PvOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ name: 'experiment_id', type: 'integer' }) experimentId: number;
  @ManyToOne(() => ExperimentOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'experiment_id' })
  experiment?: ExperimentOrmEntity;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ name: 'display_name', type: 'varchar', length: 200, nullable: true }) displayName: string | null;
  @Column({ type: 'varchar', length: 30, default: '' }) unit: string;
  @Column({ type: 'boolean', default: false }) writable: boolean;
  @Column({ type: 'varchar', length: 10, default: 'NUMBER' }) type: string;
  @Column({ name: 'threshold_min', type: 'double precision', nullable: true }) thresholdMin: number | null;
  @Column({ name: 'threshold_max', type: 'double precision', nullable: true }) thresholdMax: number | null;
  @Column({ name: 'set_min', type: 'double precision', nullable: true }) setMin: number | null;
  @Column({ name: 'set_max', type: 'double precision', nullable: true }) setMax: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** A user assigned to an experiment: they see it, its PVs and their data, and may set its writable PVs. */
@Entity('experiment_users')
@Index('IDX_experiment_users_user', ['userId'])
export class ExperimentUserOrmEntity {
  @PrimaryColumn({ name: 'experiment_id', type: 'integer' }) experimentId: number;
  @PrimaryColumn({ name: 'user_id', type: 'uuid' }) userId: string;
  @ManyToOne(() => ExperimentOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'experiment_id' })
  experiment?: ExperimentOrmEntity;
  @ManyToOne('UserOrmEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: unknown;
  @CreateDateColumn({ name: 'assigned_at', type: 'timestamptz' }) assignedAt: Date;
}

/** A value set on a PV through the API and taken by the broker: who, what, when. */
@Entity('pv_sets')
@Index('IDX_pv_sets_pv_at', ['pvId', 'at'])
@Index('IDX_pv_sets_at', ['at'])
export class PvSetOrmEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ name: 'pv_id', type: 'integer' }) pvId: number;
  @ManyToOne(() => PvOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'pv_id' })
  pv?: PvOrmEntity;
  /** Null once the user is gone for good (users are soft-deleted, so normally kept). */
  @Column({ name: 'user_id', type: 'uuid', nullable: true }) userId: string | null;
  @ManyToOne('UserOrmEntity', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'user_id' })
  user?: unknown;
  /** The text published. */
  @Column({ type: 'text' }) value: string;
  @Column({ type: 'timestamptz' }) at: Date;
}

export const EXPERIMENTS_ORM_ENTITIES = [ExperimentOrmEntity, PvOrmEntity, ExperimentUserOrmEntity, PvSetOrmEntity];
