import { InvalidInputError } from '../../shared/errors/domain-errors.js';

/**
 * Exact dynamic time warping of two series under the absolute difference |x_i − y_j| (the
 * Euclidean distance of one-dimensional points, as fastdtw's `dist=euclidean`): the least total
 * cost of a warping path from (0, 0) to (n−1, m−1) moving by (1,0), (0,1) or (1,1), and that path's
 * length in pairs. Among equally cheap paths the shortest is reported, so the length is
 * well-defined (fastdtw's radius-limited search only approximates the cost).
 *
 * An optional Sakoe–Chiba band of half-width w keeps the path within i − w ≤ j ≤ i + w, widened on
 * one side by the difference in length so that (n−1, m−1) stays reachable (as tslearn does); a band
 * of max(n, m) or more is the exact unconstrained distance. O(n·band) time, O(m) memory.
 */
// Bound once: in a vm context (Jest) every global lookup in the inner loop costs a slow interceptor call.
const { abs } = Math;
const UNREACHABLE = Infinity;

export interface WarpingDistance {
  distance: number;
  pathLength: number;
}

export interface WarpingOptions {
  /** Sakoe–Chiba half-width w ≥ 0; absent for no band. */
  band?: number;
}

export function dynamicTimeWarping(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: WarpingOptions = {},
): WarpingDistance {
  const n = x.length;
  const m = y.length;
  if (n === 0 || m === 0) {
    throw new InvalidInputError('Dynamic time warping needs two non-empty series', { series: 'must not be empty' });
  }
  const band = options.band ?? Math.max(n, m);
  if (!Number.isInteger(band) || band < 0) {
    throw new InvalidInputError('The warping band must be an integer ≥ 0', { band: 'must be an integer ≥ 0' });
  }
  const below = band + Math.max(0, n - m);
  const above = band + Math.max(0, m - n);

  let previousCost = new Float64Array(m);
  let previousLength = new Int32Array(m);
  let cost = new Float64Array(m);
  let length = new Int32Array(m);
  let previousLow = 0;
  let previousHigh = -1;
  for (let i = 0; i < n; i++) {
    const low = Math.max(0, i - below);
    const high = Math.min(m - 1, i + above);
    const xi = x[i];
    for (let j = low; j <= high; j++) {
      const step = abs(xi - y[j]);
      if (i === 0 && j === 0) {
        cost[0] = step;
        length[0] = 1;
        continue;
      }
      let best = UNREACHABLE;
      let bestLength = 0;
      if (j > low && cost[j - 1] <= best) {
        best = cost[j - 1];
        bestLength = length[j - 1];
      }
      if (j >= previousLow && j <= previousHigh) {
        const up = previousCost[j];
        if (up < best || (up === best && previousLength[j] < bestLength)) {
          best = up;
          bestLength = previousLength[j];
        }
      }
      if (j - 1 >= previousLow && j - 1 <= previousHigh) {
        const diagonal = previousCost[j - 1];
        if (diagonal < best || (diagonal === best && previousLength[j - 1] < bestLength)) {
          best = diagonal;
          bestLength = previousLength[j - 1];
        }
      }
      cost[j] = best + step;
      length[j] = bestLength + 1;
    }
    const costs = previousCost;
    previousCost = cost;
    cost = costs;
    const lengths = previousLength;
    previousLength = length;
    length = lengths;
    previousLow = low;
    previousHigh = high;
  }
  return { distance: previousCost[m - 1], pathLength: previousLength[m - 1] };
}
