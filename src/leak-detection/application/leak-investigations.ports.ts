export const INVESTIGATION_RESULTS = ['CONFIRMED', 'EXTERNAL_CAUSE', 'UNDEFINED', 'NOT_SUPPORTED'] as const;
export type InvestigationResult = (typeof INVESTIGATION_RESULTS)[number];
export type InvestigationTrigger = 'CRITICAL' | 'REQUEST';

export interface InvestigationRecord {
  sensorId: number;
  /** The reading investigated (the CRITICAL one, a follow-up's, or the time asked for). */
  at: Date;
  trigger: InvestigationTrigger;
  result: InvestigationResult;
  /** Why: the estimation's reason code, or what was missing. */
  reason: string;
  confirmedCandidateId: number | null;
  confirmedName: string | null;
  /** Scores per candidate, neighbour correlation, parameters: what the result rests on. */
  details: Record<string, unknown>;
}

export interface StoredInvestigation extends InvestigationRecord {
  id: string;
  createdAt: Date;
}

export interface InvestigationFilter {
  sensorIds?: readonly number[];
  results?: readonly InvestigationResult[];
}

/** Investigations, and the readings they compare. */
export abstract class LeakInvestigationRepository {
  /** Stores it unless the sensor has one at that reading already; null then. */
  abstract add(record: InvestigationRecord): Promise<StoredInvestigation | null>;
  abstract find(sensorId: number, at: Date): Promise<StoredInvestigation | null>;
  /** Whether one of the sensor's investigations of a reading in [from, to] confirmed a leak. */
  abstract confirmedBetween(sensorId: number, from: Date, to: Date): Promise<boolean>;
  abstract list(
    filter: InvestigationFilter,
    page: { offset: number; limit: number },
  ): Promise<{
    items: StoredInvestigation[];
    totalCount: number;
    offset: number;
    limit: number;
  }>;
  /** The newest `count` readings of each sensor at or before `at`, oldest first. */
  abstract readingsUpTo(sensorIds: readonly number[], at: Date, count: number): Promise<Map<number, number[]>>;
}
