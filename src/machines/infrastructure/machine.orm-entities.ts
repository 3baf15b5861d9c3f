import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { bigintAsNumber } from '../../shared/database/column-transformers.js';

@Entity('machine_types')
@Index('UQ_machine_types_name', ['name'], { unique: true })
export class MachineTypeOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ name: 'auto_logoff_minutes', type: 'integer', default: 0 }) autoLogoffMinutes: number;
  @Column({ name: 'grace_minutes', type: 'integer', default: 0 }) graceMinutes: number;
  @Column({ name: 'needs_authorization', type: 'boolean', default: false }) needsAuthorization: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('element_types')
@Index('UQ_element_types_name', ['name'], { unique: true })
export class ElementTypeOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ type: 'varchar', length: 100 }) name: string;
  @Column({ type: 'varchar', length: 100, default: '' }) range: string;
  @Column({ name: 'current_min', type: 'double precision' }) currentMin: number;
  @Column({ name: 'current_max', type: 'double precision' }) currentMax: number;
  @Column({ name: 'voltage_min', type: 'double precision' }) voltageMin: number;
  @Column({ name: 'voltage_max', type: 'double precision' }) voltageMax: number;
  @Column({ type: 'text', default: '' }) description: string;
  @Column({ type: 'boolean', default: true }) active: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

@Entity('machines')
@Index('UQ_machines_code', ['code'], { unique: true })
export class MachineOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  /** The id devices use in MQTT topics; FAB-O-MATIC boards need a numeric one. */
  @Column({ type: 'varchar', length: 64 }) code: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ type: 'varchar', length: 200, default: '' }) model: string;
  @Column({ type: 'varchar', length: 200, default: '' }) maker: string;
  @Column({ name: 'capacity_amps', type: 'double precision', nullable: true }) capacityAmps: number | null;
  @Column({ name: 'date_of_purchase', type: 'date', nullable: true }) dateOfPurchase: string | null;
  @Column({ name: 'machine_type_id', type: 'integer', nullable: true }) machineTypeId: number | null;
  @ManyToOne(() => MachineTypeOrmEntity, { onDelete: 'SET NULL', eager: true })
  @JoinColumn({ name: 'machine_type_id' })
  machineType: Relation<MachineTypeOrmEntity> | null;
  @Column({ type: 'boolean', default: false }) blocked: boolean;
  /** Cumulative use in whole seconds (RFID uses add exactly their duration). */
  @Column({ name: 'usage_seconds', type: 'bigint', default: 0, transformer: bigintAsNumber }) usageSeconds: number;
  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true }) lastSeenAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity('machine_axes')
@Index('UQ_machine_axes_machine_name', ['machineId', 'name'], { unique: true })
@Check('CHK_machine_axes_name', `"name" IN ('X', 'Y', 'Z', 'A', 'C')`)
export class AxisOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ name: 'machine_id', type: 'integer' }) machineId: number;
  @ManyToOne(() => MachineOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machine_id' })
  machine?: Relation<MachineOrmEntity>;
  @Column({ type: 'varchar', length: 1 }) name: string;
  @Column({ name: 'max_velocity', type: 'double precision' }) maxVelocity: number;
  @Column({ name: 'max_acceleration', type: 'double precision' }) maxAcceleration: number;
}

@Entity('machine_tools')
@Index('UQ_machine_tools_machine_number', ['machineId', 'number'], { unique: true })
export class ToolOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ name: 'machine_id', type: 'integer' }) machineId: number;
  @ManyToOne(() => MachineOrmEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'machine_id' })
  machine?: Relation<MachineOrmEntity>;
  /** The tool's place in the magazine (1..capacity). */
  @Column({ type: 'integer' }) number: number;
  @Column({ name: 'tool_offset', type: 'double precision', default: 0 }) toolOffset: number;
  @Column({ name: 'feed_rate', type: 'double precision', default: 0 }) feedRate: number;
}

export const MACHINES_ORM_ENTITIES = [
  MachineTypeOrmEntity,
  ElementTypeOrmEntity,
  MachineOrmEntity,
  AxisOrmEntity,
  ToolOrmEntity,
];
