import type { AnomalyLevel } from './anomaly-level.js';

/**
 * Follow-up investigations while a sensor stays CRITICAL (issue 13 item 7). A strong, sudden
 * leak goes CRITICAL within the first readings of its plume's first passage, when the window the
 * estimation compares is still mostly background, so the investigation at the change to CRITICAL
 * seldom names it; the same estimation a dozen readings later does (measured: see
 * test/leak-detection/investigation-confirms-leak.e2e-spec.ts). So the episode is investigated
 * again every `every` readings, at most FOLLOW_UPS_PER_EPISODE times, until one of its
 * investigations confirms a leak.
 */

/**
 * At most this many follow-ups per CRITICAL episode: with the default 12 readings (two hours of
 * ten-minute readings) the last comes 36 readings after the change, when the window of 144 is a
 * quarter plume; later ones compare much the same window again and only repeat the notice.
 */
export const FOLLOW_UPS_PER_EPISODE = 3;

/** A sensor's CRITICAL episode: since the reading that changed it to CRITICAL. */
export interface CriticalEpisode {
  /** The reading that changed the level to CRITICAL. */
  since: Date;
  /** Readings scored since that one (0 at it). */
  readings: number;
}

/**
 * The episode after one more scored reading: a change to CRITICAL starts one (0 readings), a
 * further CRITICAL reading counts on, any other level ends it. A CRITICAL reading without a
 * known episode (not a change, none held) stays without: it is not counted from a guess.
 */
export function nextEpisode(
  episode: CriticalEpisode | null,
  reading: { ts: Date; level: AnomalyLevel; changed: boolean },
): CriticalEpisode | null {
  if (reading.level !== 'CRITICAL') return null;
  if (reading.changed) return { since: reading.ts, readings: 0 };
  return episode ? { since: episode.since, readings: episode.readings + 1 } : null;
}

/**
 * Which follow-up (1, 2, …) a reading that many readings after the change to CRITICAL may
 * request, or null: follow-up k from the reading k·`every` on until the next one's, up to
 * FOLLOW_UPS_PER_EPISODE; `every` 0 turns them off. Requested at the first reading of its range
 * where the episode's earlier investigation is known (not still in the outbox), at most once
 * (the outbox key names the episode and k): late is better than on a result not yet known.
 */
export function followUpDue(readingsSinceChange: number, every: number): number | null {
  if (every <= 0 || readingsSinceChange < every) return null;
  const number = Math.floor(readingsSinceChange / every);
  return number <= FOLLOW_UPS_PER_EPISODE ? number : null;
}
