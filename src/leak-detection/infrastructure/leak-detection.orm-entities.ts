import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Sides } from '../domain/registry.js';

/**
 * Registry and events of leak detection. The ppmv samples and the anomaly level of each
 * reading are range-partitioned by day and written in bulk with SQL: they have no entities
 * (migration LeakDetection).
 */

@Entity('leak_fields')
@Index('UQ_leak_fields_name', ['name'], { unique: true })
export class LeakFieldOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ name: 'tag_prefix', type: 'varchar', length: 50, default: '' }) tagPrefix: string;
  @Column({ type: 'text', default: '' }) description: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('leak_templates')
@Index('UQ_leak_templates_field_name', ['fieldId', 'name'], { unique: true })
export class LeakTemplateOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ name: 'field_id', type: 'integer' }) fieldId: number;
  @ManyToOne(() => LeakFieldOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'field_id' })
  field?: LeakFieldOrmEntity;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ name: 'angle_from_north', type: 'double precision' }) angleFromNorth: number;
  @Column({ type: 'double precision', nullable: true }) height: number | null;
  @Column({ name: 'roof_height', type: 'double precision', nullable: true }) roofHeight: number | null;
  @Column({ type: 'jsonb', nullable: true }) porosity: Sides | null;
  @Column({ name: 'wall_area', type: 'jsonb', nullable: true }) wallArea: Sides | null;
  @Column({ type: 'jsonb', nullable: true }) inclination: Sides | null;
  @Column({ name: 'internal_volume', type: 'double precision', nullable: true }) internalVolume: number | null;
  @Column({ type: 'double precision', nullable: true }) length: number | null;
  @Column({ type: 'double precision', nullable: true }) width: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('leak_sensors')
@Index('UQ_leak_sensors_name', ['name'], { unique: true })
@Index('IDX_leak_sensors_template', ['templateId'])
@Check('CHK_leak_sensors_thresholds', '"critical_percent" > "warning_percent" AND "warning_percent" > 0')
export class LeakSensorOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ name: 'template_id', type: 'integer' }) templateId: number;
  @ManyToOne(() => LeakTemplateOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'template_id' })
  template?: LeakTemplateOrmEntity;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'double precision' }) x: number;
  @Column({ type: 'double precision' }) y: number;
  @Column({ type: 'double precision' }) z: number;
  @Column({ type: 'boolean', default: false }) pinned: boolean;
  @Column({ name: 'feedback_mode', type: 'boolean', default: false }) feedbackMode: boolean;
  @Column({ type: 'integer', default: 144 }) window: number;
  @Column({ name: 'warning_percent', type: 'double precision', default: 100 }) warningPercent: number;
  @Column({ name: 'critical_percent', type: 'double precision', default: 200 }) criticalPercent: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** A sensor's level changed (OK → WARNING → CRITICAL → OK …): one row per change. */
@Entity('leak_sensor_events')
@Index('IDX_leak_sensor_events_sensor_at', ['sensorId', 'at'])
@Index('IDX_leak_sensor_events_at', ['at'])
export class LeakSensorEventOrmEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ name: 'sensor_id', type: 'integer' }) sensorId: number;
  @ManyToOne(() => LeakSensorOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sensor_id' })
  sensor?: LeakSensorOrmEntity;
  @Column({ type: 'varchar', length: 20 }) level: string;
  @Column({ name: 'previous_level', type: 'varchar', length: 20, nullable: true }) previousLevel: string | null;
  /** The reading that changed the level. */
  @Column({ type: 'timestamptz' }) at: Date;
  @Column({ type: 'double precision' }) ppmv: number;
  @Column({ type: 'double precision', nullable: true }) percent: number | null;
}

/** Operator notices: a confirmed leak, a baseline selected, a job that failed. */
@Entity('leak_system_events')
@Index('IDX_leak_system_events_at', ['at'])
export class LeakSystemEventOrmEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ type: 'varchar', length: 20 }) type: string;
  @Column({ type: 'text' }) message: string;
  @Column({ name: 'sensor_id', type: 'integer', nullable: true }) sensorId: number | null;
  @ManyToOne(() => LeakSensorOrmEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'sensor_id' })
  sensor?: LeakSensorOrmEntity;
  @CreateDateColumn({ name: 'at', type: 'timestamptz' }) at: Date;
}

export const LEAK_DETECTION_ORM_ENTITIES = [
  LeakFieldOrmEntity,
  LeakTemplateOrmEntity,
  LeakSensorOrmEntity,
  LeakSensorEventOrmEntity,
  LeakSystemEventOrmEntity,
];
