import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import type { IncrementalMatrixProfileState } from './incremental-matrix-profile-state.js';

/**
 * The incremental profile's state as bytes (to store per sensor), little-endian:
 * a 40-byte header — "PGMP", version, flags (1 = z-normalised), window size, max length,
 * exclusion zone, max records per window, point count n, window count w, record count r — then
 * values (f64 × n, NaN = non-finite), column (f64 × w), right scores (f64 × w), right indices
 * (i32 × w), record counts (i32 × w), truncation flags (u8 × w), and the records, each as its
 * distance back from its window: u16 × r when the max length fits 16 bits, else u32 × r.
 */
const MAGIC = 0x504d4750; // "PGMP" read as a little-endian u32
const VERSION = 1;
const HEADER_BYTES = 40;

function recordBytes(maxLength: number): number {
  return maxLength <= 0xffff ? 2 : 4;
}

function byteLength(n: number, w: number, r: number, maxLength: number): number {
  return HEADER_BYTES + 8 * (n + 2 * w) + 8 * w + w + recordBytes(maxLength) * r;
}

export function encodeMatrixProfileState(state: IncrementalMatrixProfileState): Uint8Array {
  const { options, values, column, rightScore, rightIndex, records } = state;
  const [n, w, r] = [values.length, column.length, records.positions.length];
  const bytes = new Uint8Array(byteLength(n, w, r, options.maxLength));
  const view = new DataView(bytes.buffer);
  const { normalized, windowSize, maxLength, exclusionZone, maxRecordsPerWindow } = options;
  const header = [
    MAGIC,
    VERSION,
    normalized ? 1 : 0,
    windowSize,
    maxLength,
    exclusionZone,
    maxRecordsPerWindow,
    n,
    w,
    r,
  ];
  header.forEach((value, k) => view.setUint32(4 * k, value, true));
  let at = HEADER_BYTES;
  for (const array of [values, column, rightScore]) {
    for (const x of array) view.setFloat64((at += 8) - 8, x, true);
  }
  for (const array of [rightIndex, records.counts]) {
    for (const x of array) view.setInt32((at += 4) - 4, x, true);
  }
  bytes.set(records.truncated, at);
  at += w;
  const wide = recordBytes(maxLength) === 4;
  let record = 0;
  records.counts.forEach((count, window) => {
    for (let k = 0; k < count; k++, record++) {
      const offset = window - records.positions[record];
      if (wide) view.setUint32((at += 4) - 4, offset, true);
      else view.setUint16((at += 2) - 2, offset, true);
    }
  });
  return bytes;
}

export function decodeMatrixProfileState(bytes: Uint8Array): IncrementalMatrixProfileState {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = (k: number) => view.getUint32(4 * k, true);
  if (bytes.byteLength < HEADER_BYTES || header(0) !== MAGIC || header(1) !== VERSION) {
    throw new InvalidInputError('Not a saved matrix profile (or an unknown version)', { state: 'unrecognised' });
  }
  const maxLength = header(4);
  const [n, w, r] = [header(7), header(8), header(9)];
  if (bytes.byteLength !== byteLength(n, w, r, maxLength)) {
    throw new InvalidInputError('The saved matrix profile is truncated or too long', { state: 'wrong length' });
  }
  let at = HEADER_BYTES;
  const floats = (length: number) => Float64Array.from({ length }, () => view.getFloat64((at += 8) - 8, true));
  const ints = (length: number) => Int32Array.from({ length }, () => view.getInt32((at += 4) - 4, true));
  const values = floats(n);
  const column = floats(w);
  const rightScore = floats(w);
  const rightIndex = ints(w);
  const counts = ints(w);
  const truncated = bytes.slice(at, at + w);
  at += w;
  const wide = recordBytes(maxLength) === 4;
  const positions = new Int32Array(r);
  let record = 0;
  counts.forEach((count, window) => {
    for (let k = 0; k < count && record < r; k++, record++) {
      positions[record] = window - (wide ? view.getUint32((at += 4) - 4, true) : view.getUint16((at += 2) - 2, true));
    }
  });
  return {
    options: {
      normalized: header(2) === 1,
      windowSize: header(3),
      maxLength,
      exclusionZone: header(5),
      maxRecordsPerWindow: header(6),
    },
    values,
    column,
    rightScore,
    rightIndex,
    records: { counts, truncated, positions },
  };
}
