import {
  boolean,
  integer,
  nullable,
  number,
  text,
  type Outcome,
  type Rule,
  type Rules,
} from '../../shared/validation/field-rules.js';

/**
 * The leak-detection registry (reference C.1): fields hold templates (subsea structures),
 * templates hold sensors. Positions are metres in the template's frame; angles are degrees
 * clockwise from north (the reference kept radians: the API speaks degrees and says so).
 */

/** An oil or gas field, with the tag format of its sensors. */
export interface Field {
  id: number;
  name: string;
  /** What every sensor tag of the field starts with ('19XT' for Trestakk). */
  tagPrefix: string;
  description: string;
}

/** A value per side of a template. */
export interface Sides {
  fore: number;
  aft: number;
  port: number;
  starboard: number;
}

export interface TemplateFields {
  name: string;
  /** Degrees clockwise from north of the template's y axis (at 0 its y axis points north and its x axis east), [0, 360): the reference's angle_from_north, as the plume model reads it. */
  angleFromNorth: number;
  /** Metres above the seabed, or null when unknown. */
  height: number | null;
  /** Metres above the seabed; null: an open template (no roof). */
  roofHeight: number | null;
  /** Per side, 0 (closed) to 1 (open); null when not given. */
  porosity: Sides | null;
  /** Per side, m². */
  wallArea: Sides | null;
  /** Per side, degrees from vertical. */
  inclination: Sides | null;
  /** m³; or length × width (× roof height) when absent. */
  internalVolume: number | null;
  length: number | null;
  width: number | null;
}

export interface Template extends TemplateFields {
  id: number;
  fieldId: number;
}

export interface SensorFields {
  /** The tag, unique: the name devices use in `plant/sensors/{name}/ppmv`. */
  name: string;
  x: number;
  y: number;
  z: number;
  pinned: boolean;
  /** Points of the matrix-profile window (one day at 10-minute sampling: 144). */
  window: number;
  /** Percent of the baseline's worst distance from which a reading is WARNING… */
  warningPercent: number;
  /** …and from which it is CRITICAL. */
  criticalPercent: number;
}

export interface Sensor extends SensorFields {
  id: number;
  templateId: number;
  /** "This is normal": readings are learnt as normal while it is on. */
  feedbackMode: boolean;
}

/** A sensor as the ingestion path and the scorer know it, from memory. */
export interface SensorRef {
  id: number;
  name: string;
  templateId: number;
  window: number;
  warningPercent: number;
  criticalPercent: number;
  /** What operators asked for: the sensor's scorer follows it at its next reading. */
  feedbackMode: boolean;
}

export const DEFAULT_WINDOW = 144;
export const DEFAULT_WARNING_PERCENT = 100;
export const DEFAULT_CRITICAL_PERCENT = 200;

/** A sensor name is its tag: what a topic level can carry. */
export const SENSOR_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

const sides: Rule<Sides> = (value) => {
  if (typeof value !== 'object' || value === null) return { problem: 'must give fore, aft, port and starboard' };
  const found = value as Record<string, unknown>;
  const result: Partial<Sides> = {};
  for (const side of ['fore', 'aft', 'port', 'starboard'] as const) {
    const outcome = number({ min: 0 })(found[side]);
    if ('problem' in outcome) return { problem: `${side} ${outcome.problem}` };
    result[side] = outcome.value;
  }
  return { value: result as Sides };
};

const angle: Rule<number> = (value) =>
  typeof value === 'number' && value >= 0 && value < 360 ? { value } : { problem: 'must be from 0 to less than 360' };

const positive = number({ above: 0 });

export const TEMPLATE_RULES: Rules<TemplateFields> = {
  name: text(1, 200),
  angleFromNorth: angle,
  height: nullable(positive),
  roofHeight: nullable(positive),
  porosity: nullable((value): Outcome<Sides> => {
    const outcome = sides(value);
    if ('problem' in outcome) return outcome;
    const over = Object.values(outcome.value).some((p) => p > 1);
    return over ? { problem: 'each side must be from 0 to 1' } : outcome;
  }),
  wallArea: nullable(sides),
  inclination: nullable(sides),
  internalVolume: nullable(positive),
  length: nullable(positive),
  width: nullable(positive),
};

const coordinate = number();

export const SENSOR_RULES: Rules<SensorFields> = {
  name: (value) =>
    typeof value === 'string' && SENSOR_NAME.test(value)
      ? { value }
      : { problem: 'must be 1 to 100 characters: letters, digits, "_", "-" or "."' },
  x: coordinate,
  y: coordinate,
  z: coordinate,
  pinned: boolean,
  window: (value) => {
    const outcome = integer(4)(value);
    return 'problem' in outcome || outcome.value <= 10_000 ? outcome : { problem: 'must be at most 10000' };
  },
  warningPercent: positive,
  criticalPercent: positive,
};

/**
 * What a template's shape allows: a closed or semi-closed one (with a roof) needs its
 * internal volume, or length and width; the plume model only handles open templates.
 */
export function templateProblems(template: TemplateFields): Record<string, string> {
  if (template.roofHeight === null) return {};
  if (template.internalVolume !== null || (template.length !== null && template.width !== null)) return {};
  return { internalVolume: 'a template with a roof needs internalVolume, or length and width' };
}

export function sensorProblems(
  sensor: Pick<SensorFields, 'warningPercent' | 'criticalPercent'>,
): Record<string, string> {
  return sensor.criticalPercent > sensor.warningPercent
    ? {}
    : { criticalPercent: 'must be greater than warningPercent' };
}

export function isOpen(template: Pick<TemplateFields, 'roofHeight'>): boolean {
  return template.roofHeight === null;
}
