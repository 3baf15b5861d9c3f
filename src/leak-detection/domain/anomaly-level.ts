import { InvalidInputError } from '../../shared/errors/domain-errors.js';

/**
 * The anomaly level of one reading: UNDEFINED while the scorer warms up, then the newest
 * window's distance to its nearest neighbour as a percentage of the largest such distance inside
 * the sensor's baseline: OK below the warning threshold, WARNING from it, CRITICAL from the
 * critical one (reference C.3: 100 % and 200 %).
 */
export const ANOMALY_LEVELS = ['UNDEFINED', 'OK', 'WARNING', 'CRITICAL'] as const;
export type AnomalyLevel = (typeof ANOMALY_LEVELS)[number];

export interface AnomalyThresholds {
  /** Percent of the baseline's largest distance from which a reading is WARNING. */
  warningPercent: number;
  /** Percent from which it is CRITICAL (above warningPercent). */
  criticalPercent: number;
}

export const DEFAULT_ANOMALY_THRESHOLDS: Readonly<AnomalyThresholds> = { warningPercent: 100, criticalPercent: 200 };

/** The level of a scored reading (never UNDEFINED; +∞, a window with no neighbour at all, is CRITICAL). */
export function levelOfPercent(percent: number, thresholds: AnomalyThresholds): Exclude<AnomalyLevel, 'UNDEFINED'> {
  if (percent >= thresholds.criticalPercent) return 'CRITICAL';
  return percent >= thresholds.warningPercent ? 'WARNING' : 'OK';
}

/** Throws InvalidInputError naming the offending threshold. */
export function checkAnomalyThresholds(thresholds: AnomalyThresholds): void {
  const { warningPercent, criticalPercent } = thresholds;
  if (!Number.isFinite(warningPercent) || warningPercent <= 0) {
    throw new InvalidInputError('The warning threshold must be a positive percentage', {
      warningPercent: 'must be a finite number > 0',
    });
  }
  if (!Number.isFinite(criticalPercent) || criticalPercent <= warningPercent) {
    throw new InvalidInputError('The critical threshold must be above the warning threshold', {
      criticalPercent: `must be a finite number > warningPercent (${warningPercent})`,
    });
  }
}
