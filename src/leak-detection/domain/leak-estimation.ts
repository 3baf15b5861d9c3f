import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { maxLaggedCorrelation } from './cross-correlation.js';
import { dynamicTimeWarping } from './dynamic-time-warping.js';

/**
 * Which candidate leak, if any, explains a sensor's anomalous readings (the original's
 * `MultiMetricCorrelation`), comparing the readings with each candidate's simulated series:
 *
 * 1. Reference: the last `referenceLength` readings, ending with the anomalous one (default: as
 *    many as the longest simulated series, 144). Unlike the original we drop neither the newest
 *    nor the oldest reading (it kept 142): both windows end at the anomalous reading, and the lag
 *    window absorbs any misalignment of a step or two. Each hypothesis (and each neighbour) is
 *    compared with the readings over the steps both cover, the newest min(lengths) points of each
 *    (the original cut the hypotheses to their oldest points instead).
 * 2. Scaling (`z-normalised` by default): each series (reference, hypotheses, neighbours) is
 *    z-normalised on its own, so that shapes are compared. The simulated series are leak
 *    concentrations in kg/m³ starting from 0 while the readings are ppmv over a background; compared
 *    raw (the original, `raw` here), the distances mostly measure the background level and a
 *    leak's total amount, and any two positive series correlate near 1. A flat series (no
 *    variation) scales to zeros.
 * 3. Per hypothesis: the best normalised cross-correlation within ±maxLag lags, each lag's value
 *    divided by (1 + lagPenalty·|lag|) (cross-correlation.ts); and the exact DTW distance per
 *    warping-path pair, inverted into a similarity (dynamic-time-warping.ts). The warping is kept
 *    within a Sakoe–Chiba band of 12 steps by default, the shift the cross-correlation allows:
 *    unconstrained, DTW matches a plume passing at 05:00 with one passing at 20:00 almost for free,
 *    and with its weight of 0.99 it then decides at random (a shape planted in the readings with
 *    noise at 1/20 of its height was named right 49 % of the time unconstrained, 100 % with the band).
 * 4. Each metric is z-scored across the hypotheses with the population standard deviation (the
 *    original's np.std, with which its threshold was chosen: one outlier among 5 scores at most
 *    √4 = 2; the reference's 4/√5 is the bound for the sample deviation). Then
 *    weighted = w_cc·z_cc + w_dtw·z_dtw, z-scored again. A metric with no spread across the
 *    hypotheses (all equal up to rounding) tells them apart in no way: its z-scores are null and
 *    count 0 in the weighted sum.
 * 5. Candidates: final z > threshold and a cross-correlation of at least minCrossCorrelation,
 *    excluding flat hypotheses (a leak that does not change the sensor's reading explains nothing)
 *    and all of them when the readings themselves are flat. The correlation floor is ours: the
 *    z-scores only rank the hypotheses against each other, so readings of pure noise named one
 *    of five candidates 137 times in 300 draws without it, and never with a floor of 0.5 (a shape
 *    planted under noise of a quarter of its height still correlates ~0.8). Set it to −1 for the
 *    reference's rule. Readings that drift slowly without any leak can still correlate with a
 *    broad plume; the CRITICAL anomaly that triggers an estimation is the guard there.
 *    Exactly one candidate → CONFIRMED naming it; otherwise, when the readings move with those of
 *    the template's other sensors (mean over the neighbours of the best correlation within
 *    ±neighbourMaxLag lags > neighbourCorrelationThreshold) → EXTERNAL_CAUSE; otherwise UNDEFINED.
 *    The original averaged over every pair of the group, neighbours among themselves included, and
 *    never had neighbours; here only the anomalous sensor's pairs count, as the question is whether
 *    its readings are shared.
 */
export type SeriesScaling = 'z-normalised' | 'raw';

export interface EstimationParameters {
  /** A hypothesis is a candidate when its final z-score exceeds this… */
  threshold: number;
  /** …and its cross-correlation with the readings is at least this (−1: no floor). */
  minCrossCorrelation: number;
  crossCorrelationWeight: number;
  dtwWeight: number;
  /** Cross-correlation lags within ±maxLag steps (12 = 2 h of 10-minute readings). */
  maxLag: number;
  /** β in 1 + β·|lag|. */
  lagPenalty: number;
  /** Lags within ±neighbourMaxLag for the neighbours' correlation (6 = 1 h). */
  neighbourMaxLag: number;
  neighbourCorrelationThreshold: number;
  /** Sakoe–Chiba half-width for the DTW, in steps; null for the exact unconstrained distance. */
  dtwBand: number | null;
  scaling: SeriesScaling;
  /** Readings compared; null for the longest hypothesis' length. */
  referenceLength: number | null;
}

export const DEFAULT_ESTIMATION_PARAMETERS: Readonly<EstimationParameters> = Object.freeze({
  threshold: 1.4,
  minCrossCorrelation: 0.5,
  crossCorrelationWeight: 0.01,
  dtwWeight: 0.99,
  maxLag: 12,
  lagPenalty: 0.0001,
  neighbourMaxLag: 6,
  neighbourCorrelationThreshold: 0.9,
  dtwBand: 12,
  scaling: 'z-normalised',
  referenceLength: null,
});

/** A candidate leak's simulated sensor series (LeakAtSensor.response), named by the caller's id. */
export interface LeakHypothesis<Id> {
  id: Id;
  series: ArrayLike<number>;
}

export interface EstimationInput<Id> {
  /** The sensor's readings, oldest first, ending with the anomalous one. */
  readings: ArrayLike<number>;
  hypotheses: readonly LeakHypothesis<Id>[];
  /** The readings of the template's other sensors, oldest first, ending at the same moment. */
  neighbours?: readonly ArrayLike<number>[];
  parameters?: Partial<EstimationParameters>;
}

export interface HypothesisScore<Id> {
  id: Id;
  /** Best penalised normalised cross-correlation within the lag window. */
  crossCorrelation: number;
  crossCorrelationLag: number;
  /** DTW distance divided by the warping path's length. */
  dtwDistance: number;
  dtwPathLength: number;
  /** 1 / dtwDistance (a distance of 0 counts as 1e-12 of the series' scale). */
  dtwSimilarity: number;
  crossCorrelationZ: number | null;
  dtwZ: number | null;
  weightedScore: number;
  finalZ: number | null;
  /** The simulated series does not vary: it can be no candidate. */
  flat: boolean;
}

export interface EstimationScores<Id> {
  /** In the order of the input's hypotheses. */
  hypotheses: HypothesisScore<Id>[];
  candidates: Id[];
  /** Mean best correlation with the neighbours; null without neighbours. */
  neighbourCorrelation: number | null;
  /** Readings compared (fewer than asked when fewer exist). */
  referenceLength: number;
  /** The parameters used, defaults filled in: worth storing with the result. */
  parameters: EstimationParameters;
}

export type Estimation<Id> = EstimationScores<Id> &
  (
    | { result: 'CONFIRMED'; reason: 'ONE_CANDIDATE'; confirmed: Id }
    | { result: 'EXTERNAL_CAUSE'; reason: 'NEIGHBOURS_MOVE_TOGETHER' }
    | { result: 'UNDEFINED'; reason: 'NO_CANDIDATE' | 'SEVERAL_CANDIDATES' | 'FLAT_READINGS' }
  );

export function estimateLeak<Id>(input: EstimationInput<Id>): Estimation<Id> {
  const parameters = resolveEstimationParameters(input.parameters);
  checkSeries(input);
  const windowLength = parameters.referenceLength ?? Math.max(...input.hypotheses.map((h) => h.series.length));
  const readings = newest(input.readings, windowLength);
  const flatReadings = isFlat(readings);

  const scores = scoreHypotheses(readings, input.hypotheses, parameters);
  const candidates = flatReadings ? [] : scores.filter((s) => isCandidate(s, parameters)).map((s) => s.id);
  const neighbourCorrelation = meanNeighbourCorrelation(readings, input.neighbours ?? [], parameters);
  const referenceLength = readings.length;
  const common = { hypotheses: scores, candidates, neighbourCorrelation, referenceLength, parameters };

  if (candidates.length === 1) {
    return { ...common, result: 'CONFIRMED', reason: 'ONE_CANDIDATE', confirmed: candidates[0] };
  }
  if (neighbourCorrelation !== null && neighbourCorrelation > parameters.neighbourCorrelationThreshold) {
    return { ...common, result: 'EXTERNAL_CAUSE', reason: 'NEIGHBOURS_MOVE_TOGETHER' };
  }
  const reason = flatReadings ? 'FLAT_READINGS' : candidates.length === 0 ? 'NO_CANDIDATE' : 'SEVERAL_CANDIDATES';
  return { ...common, result: 'UNDEFINED', reason };
}

function isCandidate(score: HypothesisScore<unknown>, parameters: EstimationParameters): boolean {
  return (
    !score.flat &&
    score.finalZ !== null &&
    score.finalZ > parameters.threshold &&
    score.crossCorrelation >= parameters.minCrossCorrelation
  );
}

function scoreHypotheses<Id>(
  readings: number[],
  hypotheses: readonly LeakHypothesis<Id>[],
  parameters: EstimationParameters,
): HypothesisScore<Id>[] {
  const distanceFloor = 1e-12 * (largestMagnitude(scale(readings, parameters.scaling)) || 1);
  const metrics = hypotheses.map((hypothesis) => {
    const [reference, simulated] = overlap(readings, hypothesis.series);
    const x = scale(reference, parameters.scaling);
    const y = scale(simulated, parameters.scaling);
    const correlation = maxLaggedCorrelation(x, y, { maxLag: parameters.maxLag, lagPenalty: parameters.lagPenalty });
    const warping = dynamicTimeWarping(x, y, { band: parameters.dtwBand ?? undefined });
    const dtwDistance = warping.distance / warping.pathLength;
    const dtwSimilarity = 1 / Math.max(dtwDistance, distanceFloor);
    return { correlation, warping, dtwDistance, dtwSimilarity, flat: isFlat(simulated) };
  });
  const crossCorrelationZ = zScores(metrics.map((m) => m.correlation.value));
  const dtwZ = zScores(metrics.map((m) => m.dtwSimilarity));
  const weighted = metrics.map(
    (_, i) => parameters.crossCorrelationWeight * (crossCorrelationZ[i] ?? 0) + parameters.dtwWeight * (dtwZ[i] ?? 0),
  );
  const finalZ = zScores(weighted);
  return metrics.map((m, i) => ({
    id: hypotheses[i].id,
    crossCorrelation: m.correlation.value,
    crossCorrelationLag: m.correlation.lag,
    dtwDistance: m.dtwDistance,
    dtwPathLength: m.warping.pathLength,
    dtwSimilarity: m.dtwSimilarity,
    crossCorrelationZ: crossCorrelationZ[i],
    dtwZ: dtwZ[i],
    weightedScore: weighted[i],
    finalZ: finalZ[i],
    flat: m.flat,
  }));
}

function meanNeighbourCorrelation(
  readings: number[],
  neighbours: readonly ArrayLike<number>[],
  parameters: EstimationParameters,
): number | null {
  if (neighbours.length === 0) return null;
  let sum = 0;
  for (const neighbour of neighbours) {
    const [own, theirs] = overlap(readings, neighbour);
    const correlation = maxLaggedCorrelation(scale(own, parameters.scaling), scale(theirs, parameters.scaling), {
      maxLag: parameters.neighbourMaxLag,
    });
    sum += correlation.value;
  }
  return sum / neighbours.length;
}

/** Both series over the steps both cover: the newest min(lengths) points of each. */
function overlap(a: ArrayLike<number>, b: ArrayLike<number>): [number[], number[]] {
  const length = Math.min(a.length, b.length);
  return [newest(a, length), newest(b, length)];
}

/** (v − mean) / population std per value; all null when the values do not differ beyond rounding. */
export function zScores(values: readonly number[]): (number | null)[] {
  if (isFlat(values)) return values.map(() => null);
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / values.length;
  const deviation = Math.sqrt(variance);
  return values.map((v) => (v - mean) / deviation);
}

/** No variation beyond rounding: max − min ≤ 1e-12 of the largest magnitude (so all zeros is flat). */
function isFlat(series: ArrayLike<number>): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < series.length; i++) {
    min = Math.min(min, series[i]);
    max = Math.max(max, series[i]);
  }
  return max - min <= 1e-12 * Math.max(Math.abs(min), Math.abs(max));
}

function scale(series: ArrayLike<number>, scaling: SeriesScaling): Float64Array {
  const scaled = Float64Array.from(series);
  if (scaling === 'raw') return scaled;
  if (isFlat(scaled)) return scaled.fill(0);
  let mean = 0;
  for (const v of scaled) mean += v;
  mean /= scaled.length;
  let variance = 0;
  for (const v of scaled) variance += (v - mean) ** 2;
  const deviation = Math.sqrt(variance / scaled.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = (scaled[i] - mean) / deviation;
  return scaled;
}

function newest(series: ArrayLike<number>, count: number): number[] {
  return Array.prototype.slice.call(series, Math.max(0, series.length - count));
}

function largestMagnitude(series: Float64Array): number {
  let largest = 0;
  for (const v of series) largest = Math.max(largest, Math.abs(v));
  return largest;
}

/** Defaults for what is absent; throws InvalidInputError naming a parameter out of range. */
export function resolveEstimationParameters(overrides: Partial<EstimationParameters> = {}): EstimationParameters {
  const parameters = { ...DEFAULT_ESTIMATION_PARAMETERS, ...overrides };
  const finite = [
    'threshold',
    'minCrossCorrelation',
    'crossCorrelationWeight',
    'dtwWeight',
    'neighbourCorrelationThreshold',
  ] as const;
  for (const name of finite) {
    if (!Number.isFinite(parameters[name])) fail(name, 'must be a finite number');
  }
  for (const name of ['maxLag', 'neighbourMaxLag'] as const) {
    if (!Number.isInteger(parameters[name]) || parameters[name] < 0) fail(name, 'must be an integer ≥ 0');
  }
  if (!(Number.isFinite(parameters.lagPenalty) && parameters.lagPenalty >= 0)) fail('lagPenalty', 'must be ≥ 0');
  const { dtwBand, referenceLength, scaling } = parameters;
  if (dtwBand !== null && (!Number.isInteger(dtwBand) || dtwBand < 0)) fail('dtwBand', 'must be an integer ≥ 0');
  if (referenceLength !== null && (!Number.isInteger(referenceLength) || referenceLength < 1)) {
    fail('referenceLength', 'must be an integer ≥ 1');
  }
  if (scaling !== 'z-normalised' && scaling !== 'raw') fail('scaling', "must be 'z-normalised' or 'raw'");
  return parameters;
}

function fail(name: string, rule: string): never {
  throw new InvalidInputError(`The estimation parameter ${name} ${rule}`, { [name]: rule });
}

function checkSeries<Id>({ readings, hypotheses, neighbours = [] }: EstimationInput<Id>): void {
  const check = (field: string, series: ArrayLike<number>) => {
    if (series.length === 0) throw new InvalidInputError(`${field} is empty`, { [field]: 'must not be empty' });
    for (let i = 0; i < series.length; i++) {
      if (!Number.isFinite(series[i])) {
        throw new InvalidInputError(`${field}[${i}] is not a finite number`, { [field]: 'values must be finite' });
      }
    }
  };
  check('readings', readings);
  if (hypotheses.length === 0)
    throw new InvalidInputError('No hypotheses to compare', { hypotheses: 'must not be empty' });
  hypotheses.forEach((hypothesis, i) => check(`hypotheses[${i}]`, hypothesis.series));
  neighbours.forEach((neighbour, i) => check(`neighbours[${i}]`, neighbour));
}
