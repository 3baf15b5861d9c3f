import type { PageResult } from '../../shared/graphql/pagination.js';
import type { AxisSample, ElectricalSample, ToolSample } from '../domain/samples.js';

/** The three sample tables, by what they hold. */
export type SampleKind = 'electrical' | 'axis' | 'tool';
export const SAMPLE_KINDS: readonly SampleKind[] = ['electrical', 'axis', 'tool'];

/** PostgreSQL refused these samples (a value or a constraint): writing them again cannot succeed. */
export class SamplesRefusedError extends Error {
  constructor(
    /** The SQLSTATE, or 'unencodable'. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SamplesRefusedError';
  }
}

export interface LatestSamples {
  electrical: ElectricalSample[];
  axes: AxisSample[];
  tool: ToolSample[];
}

/**
 * The partitioned sample tables. The write methods are the hot path: they batch the rows of
 * many concurrent calls into one statement, resolve once the rows are committed with those
 * that were new (a sample whose identity is already stored is skipped), and reject with
 * SamplesRefusedError when PostgreSQL refused them, or with the database's error when it
 * could not be reached (writing again later may succeed).
 */
export abstract class SampleStore {
  abstract writeElectrical(samples: readonly ElectricalSample[]): Promise<ElectricalSample[]>;
  abstract writeAxes(samples: readonly AxisSample[]): Promise<AxisSample[]>;
  abstract writeTool(samples: readonly ToolSample[]): Promise<ToolSample[]>;
  /** The newest sample per machine (per machine and axis), looking no further back than `since`. */
  abstract latest(machineIds: readonly number[], since: Date): Promise<LatestSamples>;
  abstract countOfMachine(kind: SampleKind, machineId: number): Promise<number>;
  abstract deleteOfMachine(kind: SampleKind, machineId: number): Promise<void>;
}

/** Days are UTC calendar days, 'YYYY-MM-DD'. */
export interface PartitionInventory {
  /** A sample table or one of its rollups: they are partitioned alike. */
  table: string;
  /** Days that have a partition of their own. */
  days: string[];
  /** Days that have rows in the DEFAULT partition. */
  daysInDefault: string[];
}

/**
 * The daily partitions of the sample tables and their rollups (tables as `inventory` names
 * them). Safe to call from several replicas at once.
 */
export abstract class SamplePartitions {
  abstract inventory(): Promise<PartitionInventory[]>;
  /**
   * Creates the day's partition unless it exists, moving that day's rows out of the DEFAULT
   * partition into it, in one transaction. Returns how many rows were moved.
   */
  abstract createDay(table: string, day: string): Promise<number>;
  abstract dropDay(table: string, day: string): Promise<void>;
  /** Deletes the DEFAULT partition's rows older than the day; returns how many. */
  abstract purgeDefaultBefore(table: string, day: string): Promise<number>;
}

/** 'machine' for now; sensors and PVs (leak-detection, experiments) will record theirs too. */
export type UnregisteredSourceKind = 'machine';

export interface UnregisteredSource {
  topic: string;
  kind: UnregisteredSourceKind;
  /** The machine code (sensor name, PV name) taken from the topic. */
  sourceKey: string;
  firstSeenAt: Date;
  lastSeenAt: Date;
  messageCount: number;
}

export abstract class UnregisteredSourceRepository {
  /** Adds the sightings: counts add up, first/last seen widen. One statement for all of them. */
  abstract record(sightings: readonly UnregisteredSource[]): Promise<void>;
  /** Most recently seen first. */
  abstract list(
    kind: UnregisteredSourceKind | undefined,
    page: { offset: number; limit: number },
  ): Promise<PageResult<UnregisteredSource>>;
  abstract findByTopic(topic: string): Promise<UnregisteredSource | null>;
  /** Removes every topic of the source (a machine has one per kind of data). */
  abstract deleteSource(kind: UnregisteredSourceKind, sourceKey: string): Promise<void>;
}
