import type { HealthTransition } from '../domain/alarm-health.js';

/** The week's alarms as a digest counts them (alarms and alarm_transitions, read only). */
export abstract class AlarmDigestFigures {
  /** Alarms first raised in [from, to), and alarms open at `to` (raised before it, not closed by then). */
  abstract counts(from: Date, to: Date): Promise<{ raised: number; openAtEnd: number }>;
  /** What alarmHealth needs over [from, to) (the lifecycle's health query). */
  abstract healthTransitions(from: Date, to: Date): Promise<HealthTransition[]>;
}
