import { boolean, nullable, number, oneOf, type Rule, type Rules } from '../../shared/validation/field-rules.js';
import { isExperimentName, isPvName, PV_NAME_RULE } from './pv-name.js';

/**
 * Lab experiments and their process variables (PVs). An experiment is named by the prefix
 * its PVs share (`Test` for `Test:Machine3:FanSpeed1`) and exists on its own: unlike the
 * original it is not deleted with its last PV (its assignments would go with it).
 */
export interface ExperimentFields {
  /** Human-readable; null when none was given. */
  displayName: string | null;
}

export interface Experiment extends ExperimentFields {
  id: number;
  /** The PV prefix, unique; never changes (PVs are named after it). */
  name: string;
}

export const PV_TYPES = ['NUMBER', 'TEXT'] as const;
export type PvType = (typeof PV_TYPES)[number];

export interface PvFields {
  displayName: string | null;
  unit: string;
  /** Whether users may set it (setPv publishes on `{pvSetPrefix}/…`). */
  writable: boolean;
  type: PvType;
  /** Default limits of threshold subscriptions; thresholdMin < thresholdMax when both are given. */
  thresholdMin: number | null;
  thresholdMax: number | null;
  /** The range a set value must lie in (NUMBER PVs only); unbounded on a side left null. */
  setMin: number | null;
  setMax: number | null;
}

export interface Pv extends PvFields {
  id: number;
  /** `Experiment:Rest:Of:Name`, unique; never changes (it is the MQTT topic). */
  name: string;
  experimentId: number;
}

/** A PV as the ingestion path, the access checks and setPv know it, from memory. */
export interface PvRef extends Pv {
  experimentName: string;
}

export const PV_NAME_FIELD: Rule<string> = (value) =>
  typeof value === 'string' && isPvName(value) ? { value } : { problem: PV_NAME_RULE };

export const EXPERIMENT_NAME_FIELD: Rule<string> = (value) =>
  typeof value === 'string' && isExperimentName(value)
    ? { value }
    : { problem: 'must be 1 to 100 characters: letters, digits, "_", "-" or "."' };

/** A human-readable name: trimmed, '' and null both mean none. */
const displayName: Rule<string | null> = (value) => {
  if (value === null) return { value: null };
  if (typeof value !== 'string') return { problem: 'must be a string' };
  const trimmed = value.trim();
  return trimmed.length <= 200 ? { value: trimmed || null } : { problem: 'must be at most 200 characters' };
};

const unit: Rule<string> = (value) =>
  typeof value === 'string' && value.trim().length <= 30
    ? { value: value.trim() }
    : { problem: 'must be at most 30 characters' };

export const EXPERIMENT_RULES: Rules<ExperimentFields> = { displayName };

export const PV_RULES: Rules<PvFields> = {
  displayName,
  unit,
  writable: boolean,
  type: oneOf(PV_TYPES),
  thresholdMin: nullable(number()),
  thresholdMax: nullable(number()),
  setMin: nullable(number()),
  setMax: nullable(number()),
};

export const DEFAULT_PV_FIELDS: PvFields = {
  displayName: null,
  unit: '',
  writable: false,
  type: 'NUMBER',
  thresholdMin: null,
  thresholdMax: null,
  setMin: null,
  setMax: null,
};

/** Rules that span fields, each problem under the field to correct. */
export function pvProblems(pv: PvFields): Record<string, string> {
  const problems: Record<string, string> = {};
  if (pv.thresholdMin !== null && pv.thresholdMax !== null && !(pv.thresholdMin < pv.thresholdMax))
    problems.thresholdMax = 'must be greater than thresholdMin';
  if (pv.type === 'TEXT') {
    if (pv.setMin !== null) problems.setMin = 'applies to NUMBER PVs only';
    if (pv.setMax !== null) problems.setMax = 'applies to NUMBER PVs only';
  } else if (pv.setMin !== null && pv.setMax !== null && pv.setMin > pv.setMax)
    problems.setMax = 'must be at least setMin';
  return problems;
}
