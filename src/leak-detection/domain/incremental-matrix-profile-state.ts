import type { SavedRecords } from './left-neighbour-records.js';

export interface IncrementalMatrixProfileOptions {
  windowSize: number;
  /** The history: at most this many of the newest points are kept (≥ windowSize). */
  maxLength: number;
  /** z-normalised (stumpy `stumpi`) or raw Euclidean (stumpy `aampi`, the default). */
  normalized?: boolean;
  /** Windows closer than this are not neighbours; default ⌈m/4⌉. */
  exclusionZone?: number;
  /** Bound on the left-neighbour records kept per window (see LeftNeighbourRecords); default 256. */
  maxRecordsPerWindow?: number;
}

/** What `state()` gives and `fromState()` takes (matrix-profile-state-codec.ts turns it into bytes). */
export interface IncrementalMatrixProfileState {
  options: Required<IncrementalMatrixProfileOptions>;
  /** The retained points, non-finite ones as NaN. */
  values: Float64Array;
  /** Per retained window: the newest window's squared distance or co-moment to it. */
  column: Float64Array;
  /** Per retained window: its right neighbour's score and index (−1 without one). */
  rightScore: Float64Array;
  rightIndex: Int32Array;
  /** Per retained window: its left-neighbour records (indices). */
  records: SavedRecords;
}
