import type { BatchTable } from '../database/batch-writer.js';
import type { DerivedStage } from './derived-state.js';
import type { UnregisteredSourceKind } from './unregistered-sources.js';

/**
 * One kind of sample that devices publish over MQTT (PROTOCOLS.md section A): electrical,
 * axis and tool samples of machines today, ppmv per sensor and PV values next. A kind is
 * this one declaration; SampleIngestion turns it into the MQTT route, the batch writer, the
 * post-commit fan-out (derived state, latest values, live events), the partitions and the
 * unregistered-source list. How to add one: README, "Adding a sample kind".
 *
 * `Reading` is what a validated payload holds, `Sample` a stored row, `Source` the
 * registered thing a topic names (a machine, a sensor, a PV).
 */
export interface SampleKind<Reading, Sample extends { ts: Date }, Source> {
  /** Names the kind in metrics, logs and errors: 'electrical'. */
  readonly name: string;
  /** The MQTT route, named wildcards captured (shared/mqtt/topic-pattern.ts): 'plant/machines/+code/electrical'. */
  readonly topic: string;
  /**
   * The payload as readings (one object or an array of them). Throws MalformedMessageError
   * naming the first offending field; `receivedAt` stands in for a missing `ts`.
   */
  parse(payload: Buffer, receivedAt: Date): Reading[];
  /** The registered source the topic's captures name, or why there is none. */
  lookup(params: Readonly<Record<string, string>>): SourceLookup<Source>;
  /**
   * The readings of a found source as samples (derived fields computed here). Readings
   * that cannot be stored while the rest can (an axis the machine lacks) are left out and
   * reported through `leftOut`; leaving out every one refuses the message with that reason.
   */
  samples(source: Source, readings: readonly Reading[], leftOut: LeftOut): Sample[];
  /** The source's id, as stored in the table's source column. */
  idOf(source: Source): number;
  readonly table: SampleTable<Sample>;
  /** The sample's source id (the table's source column). */
  sourceOf(sample: Sample): number;
  /** The sample's part (the table's part column: the axis), for kinds with several series per source. */
  partOf?(sample: Sample): string;
  /** Every registered source's id: the latest values are loaded for them at start. */
  allSources(): readonly number[];
  /** Daily partitions created this many days ahead, dropped after `retentionDays` (0 = kept forever). */
  readonly partitions: { daysAhead: number; retentionDays: number };
  /** How far back the start looks for a source's latest sample (a source silent for longer shows none). */
  readonly latestWindowMs: number;
  readonly live: LiveDeclaration<Sample>;
  /** After a message's samples are stored: e.g. the machine's "last seen". Must not block. */
  seen?(source: Source, receivedAt: Date): void;
  /** State derived from the samples, each run by one owner per source (derived-state.ts). */
  readonly derived?: readonly DerivedStage<Sample>[];
}

export type SourceLookup<Source> =
  /** A registered source. */
  | { found: Source }
  /** A well-formed name nobody registered: listed as an unregistered source, the message refused. */
  | { unregistered: UnregisteredKey }
  /** The topic cannot name any source (e.g. characters no code may hold): refused, not listed. */
  | { invalid: string };

/** What an unregistered source is called: a machine code, or a machine code and an axis it lacks. */
export interface UnregisteredKey {
  kind: UnregisteredSourceKind;
  /** The code, sensor name or PV name from the topic. */
  key: string;
  /** A part of a registered source that is not registered (an axis), when that is what is missing. */
  part?: string;
}

/** Reports readings left out of an otherwise accepted message (counted by reason, logged rate-limited). */
export type LeftOut = (reason: string, detail: string, unregistered?: UnregisteredKey) => void;

/** A sample table as the batch writer and the generic queries see it. */
export interface SampleTable<S> extends BatchTable<S> {
  /** The column of the source id; the key is (source, [part,] ts). */
  readonly sourceColumn: string;
  /** The column that tells several series of one source apart (the axis), if any. */
  readonly partColumn?: string;
  /** Values `partColumn` takes: the latest value is looked up for each. */
  readonly parts?: readonly string[];
  /**
   * Tables keyed by source and time like the sample table — its rollups (kept by its
   * triggers), or rows derived per sample (anomaly levels): partitioned and retained alike,
   * deleted with a source.
   */
  readonly companions?: readonly string[];
  /** A row of `SELECT <columns>` back as a sample. */
  fromRow(row: Record<string, unknown>): S;
}

/** Live events: one per source and committed batch, the samples shaped once for every subscriber. */
export interface LiveDeclaration<Sample> {
  /** The PubSub topic (a constant the context exports for its subscriptions). */
  readonly topic: string;
  /**
   * The sample as subscribers receive it: with its source's code under the name its GraphQL
   * type gives it (`{ ...sample, machineCode: code }`). A literal, not a computed key: V8 then
   * builds every live sample in one fast shape.
   */
  shape(sample: Sample, code: string): LiveSample<Sample>;
  /** The code subscribers filter by; undefined for a source deleted meanwhile (its samples are not published). */
  codeOf(sourceId: number): string | undefined;
}

/** A sample as subscribers receive it: the sample with its source's code added (LiveDeclaration.shape). */
export type LiveSample<S> = S;

/** One source's new samples of one kind, as published once per committed batch. */
export interface SamplesAdded<S> {
  sourceId: number;
  sourceCode: string;
  samples: S[];
}
