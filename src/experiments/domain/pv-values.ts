import type { PvFields } from './experiments.js';

/** One value of a PV: a number for NUMBER PVs, a text for TEXT PVs (the other is null). */
export interface PvSample {
  pvId: number;
  ts: Date;
  value: number | null;
  text: string | null;
}

/** What a device sent, before its PV's type is known. */
export interface PvReading {
  ts: Date;
  value: number | string;
}

/** Longer texts are refused: a PV value is a state or a message, not a document. */
export const MAX_TEXT_LENGTH = 1000;

/**
 * A reading as a sample of its PV, or why it cannot be one. A NUMBER PV takes JSON numbers
 * only (a string is refused, never guessed at); a TEXT PV takes strings, and numbers as their
 * decimal text.
 */
export function sampleOf(
  pv: { id: number; type: PvFields['type'] },
  reading: PvReading,
): { sample: PvSample } | { problem: string } {
  const { ts, value } = reading;
  if (pv.type === 'NUMBER')
    return typeof value === 'number'
      ? { sample: { pvId: pv.id, ts, value, text: null } }
      : { problem: 'is text, and the PV holds numbers' };
  const text = typeof value === 'number' ? String(value) : value;
  if (text.length > MAX_TEXT_LENGTH) return { problem: `is longer than ${MAX_TEXT_LENGTH} characters` };
  // PostgreSQL text cannot hold NUL: refused here rather than failing the whole batch.
  if (text.includes('\u0000')) return { problem: 'holds a NUL character' };
  return { sample: { pvId: pv.id, ts, value: null, text } };
}

export type SetRefusal = 'WRONG_TYPE' | 'OUT_OF_RANGE';

/** A decimal number as people and devices write it: `42`, `-1.5`, `.5`, `1e3`; no hex, no spaces, no `Infinity`. */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * Checks a value to set on a PV. Returns the text to publish (a number in its shortest
 * decimal form, a text as given) and the value to record, or why it is refused.
 */
export function checkSetValue(
  pv: Pick<PvFields, 'type' | 'setMin' | 'setMax'>,
  raw: string,
): { text: string; value: number | null } | { refusal: SetRefusal; problem: string } {
  if (pv.type === 'TEXT') {
    if (raw.includes('\u0000')) return { refusal: 'WRONG_TYPE', problem: 'must not hold a NUL character' };
    if (raw.length > MAX_TEXT_LENGTH)
      return { refusal: 'WRONG_TYPE', problem: `must be at most ${MAX_TEXT_LENGTH} characters` };
    return { text: raw, value: null };
  }
  const trimmed = raw.trim();
  const value = DECIMAL.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isFinite(value))
    return { refusal: 'WRONG_TYPE', problem: 'must be a decimal number (the PV holds numbers)' };
  if (pv.setMin !== null && value < pv.setMin)
    return { refusal: 'OUT_OF_RANGE', problem: `must be at least ${pv.setMin}` };
  if (pv.setMax !== null && value > pv.setMax)
    return { refusal: 'OUT_OF_RANGE', problem: `must be at most ${pv.setMax}` };
  return { text: String(value), value };
}
