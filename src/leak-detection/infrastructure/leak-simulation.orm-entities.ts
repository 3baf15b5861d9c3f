import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { LeakTemplateOrmEntity } from './leak-detection.orm-entities.js';

/**
 * What the simulation on CRITICAL needs beside the registry (migration LeakSimulationInputs):
 * candidate leaks and sea currents per template (they go with their template), and the plume
 * model's parameters (one row, seeded with the reference's values).
 */

@Entity('leak_candidates')
@Index('UQ_leak_candidates_template_name', ['templateId', 'name'], { unique: true })
@Check('CHK_leak_candidates_rate_duration', '"rate" >= 0 AND "duration" > 0')
export class LeakCandidateOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ name: 'template_id', type: 'integer' }) templateId: number;
  @ManyToOne(() => LeakTemplateOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'template_id' })
  template?: LeakTemplateOrmEntity;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'double precision' }) x: number;
  @Column({ type: 'double precision' }) y: number;
  @Column({ type: 'double precision' }) z: number;
  /** kg/s. */
  @Column({ type: 'double precision' }) rate: number;
  /** s. */
  @Column({ type: 'double precision' }) duration: number;
}

/** One row per time: a template's current (u east, v north, m/s). */
@Entity('leak_sea_currents')
export class LeakSeaCurrentOrmEntity {
  @PrimaryColumn({ name: 'template_id', type: 'integer' }) templateId: number;
  @ManyToOne(() => LeakTemplateOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'template_id' })
  template?: LeakTemplateOrmEntity;
  @PrimaryColumn({ type: 'timestamptz' }) at: Date;
  @Column({ type: 'double precision' }) u: number;
  @Column({ type: 'double precision' }) v: number;
}

/** The Johansen plume model's parameters (plume-model.ts): a single row, id 1. */
@Entity('leak_plume_parameters')
@Check('CHK_leak_plume_parameters_single', '"id" = 1')
export class LeakPlumeParametersOrmEntity {
  @PrimaryColumn({ type: 'smallint' }) id: number;
  @Column({ type: 'double precision' }) a: number;
  @Column({ type: 'double precision' }) p: number;
  @Column({ type: 'double precision' }) q: number;
  @Column({ type: 'double precision' }) kappa: number;
  @Column({ type: 'double precision' }) alpha: number;
  @Column({ name: 'reference_speed', type: 'double precision' }) referenceSpeed: number;
  @Column({ name: 'reference_time', type: 'double precision' }) referenceTime: number;
  @Column({ type: 'double precision' }) depth: number;
  @Column({ name: 'detection_limit', type: 'double precision' }) detectionLimit: number;
  @Column({ name: 'seawater_temperature', type: 'double precision' }) seawaterTemperature: number;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
}

export const LEAK_SIMULATION_ORM_ENTITIES = [
  LeakCandidateOrmEntity,
  LeakSeaCurrentOrmEntity,
  LeakPlumeParametersOrmEntity,
];
