import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Exclusion,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';

/**
 * Registries and derived state of telemetry. The sample tables themselves (electrical,
 * axis, tool) are range-partitioned by time and written in bulk with SQL: they have no
 * entities (see migrations and the batch writer).
 */

/**
 * Foreign keys into the machines context name its entities by string, so that this
 * context's code does not import another context's infrastructure.
 */
const MACHINE = 'MachineOrmEntity';
const ELEMENT_TYPE = 'ElementTypeOrmEntity';

/** OFF / IDLE / PRODUCTION as data: the first band (by priority) that contains a reading wins. */
@Entity('machine_state_bands')
@Index('UQ_machine_state_bands_state', ['state'], { unique: true })
export class StateBandOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ type: 'varchar', length: 20 }) state: string;
  @Column({ type: 'integer' }) priority: number;
  @Column({ name: 'current_min', type: 'double precision', nullable: true }) currentMin: number | null;
  @Column({ name: 'current_max', type: 'double precision', nullable: true }) currentMax: number | null;
  @Column({ name: 'voltage_min', type: 'double precision', nullable: true }) voltageMin: number | null;
  @Column({ name: 'voltage_max', type: 'double precision', nullable: true }) voltageMax: number | null;
  @Column({ type: 'varchar', length: 20, default: '' }) color: string;
}

@Entity('machine_state_segments')
@Index('IDX_machine_state_segments_machine_start', ['machineId', 'startedAt'])
@Index('UQ_machine_state_segments_open', ['machineId'], { unique: true, where: '"ended_at" IS NULL' })
export class StateSegmentOrmEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ name: 'machine_id', type: 'integer' }) machineId: number;
  @ManyToOne(MACHINE, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machine_id' })
  machine?: unknown;
  @Column({ type: 'varchar', length: 20 }) state: string;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt: Date;
  /** Null while the state holds; `last_sample_at` keeps the open segment current. */
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt: Date | null;
  @Column({ name: 'last_sample_at', type: 'timestamptz' }) lastSampleAt: Date;
}

@Entity('out_of_standard_episodes')
@Index('IDX_out_of_standard_episodes_machine_start', ['machineId', 'startedAt'])
@Index('UQ_out_of_standard_episodes_open', ['machineId'], { unique: true, where: '"ended_at" IS NULL' })
export class OutOfStandardEpisodeOrmEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' }) id: string;
  @Column({ name: 'machine_id', type: 'integer' }) machineId: number;
  @ManyToOne(MACHINE, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machine_id' })
  machine?: unknown;
  @Column({ name: 'shift_id', type: 'integer', nullable: true }) shiftId: number | null;
  @ManyToOne(() => ShiftOrmEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'shift_id' })
  shift?: unknown;
  @Column({ name: 'started_at', type: 'timestamptz' }) startedAt: Date;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt: Date | null;
  @Column({ name: 'last_sample_at', type: 'timestamptz' }) lastSampleAt: Date;
  @Column({ name: 'peak_current', type: 'double precision' }) peakCurrent: number;
  @Column({ name: 'peak_voltage', type: 'double precision' }) peakVoltage: number;
  @Column({ name: 'sample_count', type: 'integer', default: 1 }) sampleCount: number;
}

/** Welders and other operators of machines. */
@Entity('operators')
@Index('UQ_operators_number', ['number'], { unique: true })
export class OperatorOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'integer' }) number: number;
  @Column({ type: 'varchar', length: 200, default: '' }) qualification: string;
  @Column({ name: 'qualified_thickness', type: 'double precision', nullable: true }) qualifiedThickness: number | null;
  @Column({ name: 'date_of_joining', type: 'date', nullable: true }) dateOfJoining: string | null;
  @Column({ type: 'boolean', default: true }) active: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

/** A shift of one operator on one machine; the database refuses overlapping shifts of a machine. */
@Entity('shifts')
@Index('IDX_shifts_machine_start', ['machineId', 'startsAt'])
@Check('CHK_shifts_order', '"ends_at" > "starts_at"')
@Exclusion('EX_shifts_no_overlap', 'USING gist ("machine_id" WITH =, tstzrange("starts_at", "ends_at") WITH &&)')
export class ShiftOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ name: 'machine_id', type: 'integer' }) machineId: number;
  @ManyToOne(MACHINE, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machine_id' })
  machine?: unknown;
  @Column({ name: 'operator_id', type: 'integer' }) operatorId: number;
  @ManyToOne(() => OperatorOrmEntity, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'operator_id' })
  operator?: unknown;
  @Column({ name: 'element_type_id', type: 'integer' }) elementTypeId: number;
  @ManyToOne(ELEMENT_TYPE, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'element_type_id' })
  elementType?: unknown;
  @Column({ name: 'starts_at', type: 'timestamptz' }) startsAt: Date;
  @Column({ name: 'ends_at', type: 'timestamptz' }) endsAt: Date;
  @Column({ name: 'plate_thickness', type: 'varchar', length: 50, default: '' }) plateThickness: string;
  @Column({ name: 'plate_description', type: 'text', default: '' }) plateDescription: string;
  @Column({ type: 'text', default: '' }) remarks: string;
  @Column({ name: 'i_no', type: 'varchar', length: 100, default: '' }) iNo: string;
  @Column({ name: 'fc_no', type: 'varchar', length: 100, default: '' }) fcNo: string;
  @Column({ type: 'varchar', length: 100, default: '' }) project: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('instructions')
@Index('UQ_instructions_text', ['text'], { unique: true })
export class InstructionOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ type: 'text' }) text: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export const TELEMETRY_ORM_ENTITIES = [
  StateBandOrmEntity,
  StateSegmentOrmEntity,
  OutOfStandardEpisodeOrmEntity,
  OperatorOrmEntity,
  ShiftOrmEntity,
  InstructionOrmEntity,
];
