import type { PageResult } from '../../shared/graphql/pagination.js';
import type { AnomalyLevel } from '../domain/anomaly-level.js';

type Page = { offset: number; limit: number };

/** Where a sensor's scorer stood after its last committed batch (table anomaly_scorers). */
export interface StoredScorer {
  sensorId: number;
  windowSize: number;
  sequence: number;
  lastLevel: AnomalyLevel;
  /** The last scored reading's time: the stage's watermark. */
  lastTs: Date;
  feedbackStartedAt: number | null;
  feedbackHistory: number[][];
  /** The newest scored readings up to lastTs, oldest first (as many as were asked for). */
  latest: number[];
}

/** One scored reading, stored beside it (anomaly_levels). */
export interface AnomalyLevelRow {
  sensorId: number;
  ts: Date;
  level: AnomalyLevel;
  percent: number | null;
  feedback: boolean;
}

export interface SensorEventRow {
  sensorId: number;
  level: AnomalyLevel;
  previousLevel: AnomalyLevel | null;
  /** The reading that changed the level. */
  at: Date;
  ppmv: number;
  percent: number | null;
}

export interface StoredSensorEvent extends SensorEventRow {
  id: string;
}

export const SYSTEM_EVENT_TYPES = ['ALERT_CRITICAL', 'ALERT_SUCCESS', 'INFO'] as const;
export type SystemEventType = (typeof SYSTEM_EVENT_TYPES)[number];

export interface SystemEventRow {
  type: SystemEventType;
  message: string;
  sensorId: number | null;
}

export interface StoredSystemEvent extends SystemEventRow {
  id: string;
  at: Date;
}

/** The scorer rows of one batch, written in the runner's transaction. */
export interface ScorerWrite {
  sensorId: number;
  windowSize: number;
  sequence: number;
  lastLevel: AnomalyLevel;
  lastTs: Date;
  feedbackStartedAt: number | null;
  /** Only when it changed (learned, or cleared by a new window size). */
  feedbackHistory?: number[][];
}

export interface AnomalyBatchWrites {
  levels: AnomalyLevelRow[];
  events: SensorEventRow[];
  systemEvents: SystemEventRow[];
  scorers: ScorerWrite[];
}

export interface SensorEventFilter {
  sensorIds?: readonly number[];
  levels?: readonly AnomalyLevel[];
  from?: Date;
  to?: Date;
}

export interface SystemEventFilter {
  types?: readonly SystemEventType[];
  sensorIds?: readonly number[];
  from?: Date;
  to?: Date;
}

/** The anomaly scorers' state and what they produce: levels per reading, sensor events, system events. */
export abstract class AnomalyLevelRepository {
  /**
   * The scorers of these sensors (absent: never scored), each with its newest scored
   * readings: `latestWanted(scorer)` says how many.
   */
  abstract loadScorers(
    sensorIds: readonly number[],
    latestWanted: (scorer: Omit<StoredScorer, 'latest'>) => number,
  ): Promise<Map<number, StoredScorer>>;
  /** Writes a batch; joins the ambient transaction (the runner's, fenced by the lease). Returns the events' ids. */
  abstract write(
    batch: AnomalyBatchWrites,
  ): Promise<{ events: StoredSensorEvent[]; systemEvents: StoredSystemEvent[] }>;
  /** How many of these sensors have a scorer stored. */
  abstract scorerCount(sensorIds: readonly number[]): Promise<number>;
  /** Readings scored so far, for a sensor whose scorer another replica holds. */
  abstract sequenceOf(sensorId: number): Promise<number>;
  abstract addSystemEvent(event: SystemEventRow): Promise<StoredSystemEvent>;
  /**
   * For sensors whose scorer stands CRITICAL at `lastTs`: the change to CRITICAL (their last
   * sensor event up to then, when it is one) and how many readings were scored after it up to
   * `lastTs`. Absent: no such event.
   */
  abstract criticalEpisodes(
    scorers: ReadonlyArray<{ sensorId: number; lastTs: Date }>,
  ): Promise<Map<number, { since: Date; readings: number }>>;
  abstract sensorEvents(filter: SensorEventFilter, page: Page): Promise<PageResult<StoredSensorEvent>>;
  abstract systemEvents(filter: SystemEventFilter, page: Page): Promise<PageResult<StoredSystemEvent>>;
}
