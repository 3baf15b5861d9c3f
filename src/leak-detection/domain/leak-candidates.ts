import { number, text, type Rules } from '../../shared/validation/field-rules.js';

/**
 * Candidate leaks of a template (reference C.4, `simulated_leakages.csv`): where a leak could
 * be (metres, template frame, like its sensors), how much it would release (kg/s) and for how
 * long (s). On CRITICAL each one is simulated at the sensor and the estimation names the one
 * that explains the readings, so a name is unique within its template.
 */
export interface LeakCandidateFields {
  name: string;
  x: number;
  y: number;
  z: number;
  /** kg/s, ≥ 0. */
  rate: number;
  /** s, > 0. The regression plume model does not use it; the candidate carries it for the record. */
  duration: number;
}

export interface LeakCandidate extends LeakCandidateFields {
  id: number;
  templateId: number;
}

/** Letters, digits and a few separators: a name that reads well in an event message. */
const CANDIDATE_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.()-]{0,99}$/;

export const LEAK_CANDIDATE_RULES: Rules<LeakCandidateFields> = {
  name: (value) => {
    const outcome = text(1, 100)(value);
    if ('problem' in outcome) return outcome;
    return CANDIDATE_NAME.test(outcome.value)
      ? outcome
      : { problem: 'must start with a letter or digit; letters, digits, spaces, "_", ".", "-", "(" or ")"' };
  },
  x: number(),
  y: number(),
  z: number(),
  rate: number({ min: 0 }),
  duration: number({ above: 0 }),
};

/**
 * The reference's five candidates (C.4): LMF1–LMF4 share one position (so no estimation can
 * ever tell them apart), LPFL has its own. Rate 4.8491e-4 kg/s, 300 s each.
 */
export const REFERENCE_LEAK_CANDIDATES: readonly Readonly<LeakCandidateFields>[] = Object.freeze([
  { name: 'LMF1', x: -4.84, y: 2.47, z: 3.7, rate: 4.8491e-4, duration: 300 },
  { name: 'LMF2', x: -4.84, y: 2.47, z: 3.7, rate: 4.8491e-4, duration: 300 },
  { name: 'LMF3', x: -4.84, y: 2.47, z: 3.7, rate: 4.8491e-4, duration: 300 },
  { name: 'LMF4', x: -4.84, y: 2.47, z: 3.7, rate: 4.8491e-4, duration: 300 },
  { name: 'LPFL', x: -1.311, y: 5.023, z: 3.2, rate: 4.8491e-4, duration: 300 },
]);
