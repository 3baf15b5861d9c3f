import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { bigintAsNumber } from '../database/column-transformers.js';

/** A topic (and, for a missing part such as an axis, that part) that carried data for a source nobody registered. */
@Entity('unregistered_sources')
@Index('UQ_unregistered_sources_topic_part', ['topic', 'part'], { unique: true })
@Index('IDX_unregistered_sources_last_seen', ['lastSeenAt'])
@Check('CHK_unregistered_sources_count', '"message_count" > 0')
export class UnregisteredSourceOrmEntity {
  @PrimaryGeneratedColumn('increment') id: number;
  @Column({ type: 'varchar', length: 500 }) topic: string;
  /** machine | axis (sensor, pv as their contexts arrive) */
  @Column({ type: 'varchar', length: 20 }) kind: string;
  /** The code, sensor name or PV name taken from the topic. */
  @Column({ name: 'source_key', type: 'varchar', length: 300 }) sourceKey: string;
  /** The part of a registered source that is missing (an axis); '' when the source itself is. */
  @Column({ type: 'varchar', length: 50, default: '' }) part: string;
  @Column({ name: 'first_seen_at', type: 'timestamptz' }) firstSeenAt: Date;
  @Column({ name: 'last_seen_at', type: 'timestamptz' }) lastSeenAt: Date;
  @Column({ name: 'message_count', type: 'bigint', transformer: bigintAsNumber }) messageCount: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
