/** One gas reading of a sensor, in parts per million by volume. */
export interface PpmvSample {
  sensorId: number;
  ts: Date;
  ppmv: number;
}

/**
 * Readings at or above this are sentinels or broken instruments, not gas (the reference's
 * mocks hold 1e14 placeholders): refused (LEAK_PPMV_LIMIT).
 */
export const DEFAULT_PPMV_LIMIT = 10_000;

/** Why a reading cannot be a measurement: null when it can. */
export function implausibility(ppmv: number, limit: number): string | null {
  if (ppmv < 0) return 'is negative';
  if (ppmv >= limit) return `is ${limit} ppmv or more (a sentinel, not a reading)`;
  return null;
}
