import type { AnomalyLevel } from './anomaly-level.js';

/**
 * A sensor event: the sensor's level changed (it colours the sensor's card). Every level is its
 * own event level, WARNING included (the original folded WARNING and UNDEFINED into "ok"), and
 * an event is raised only on a change, so a sensor's first reading raises UNDEFINED and a
 * steady sensor raises nothing more.
 */
export interface SensorEvent {
  level: AnomalyLevel;
  /** The level before (null for the sensor's first reading). */
  previous: AnomalyLevel | null;
}

/** The event the reading raises, or null when its level is the previous reading's. */
export function sensorEventOnChange(previous: AnomalyLevel | null, level: AnomalyLevel): SensorEvent | null {
  return previous === level ? null : { level, previous };
}
