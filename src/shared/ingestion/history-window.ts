import { InvalidInputError } from '../errors/domain-errors.js';

/** Limits of one history request; the API documents them. */
export const HISTORY_LIMITS = {
  /** Sources (machines, sensors) per request. */
  maxSources: 100,
  maxWindowDays: 31,
  /** Raw samples per series when no limit is given. */
  defaultRawLimit: 1000,
  maxRawLimit: 10_000,
  /** Buckets per series, however they were asked for. */
  maxBuckets: 10_000,
} as const;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** What a client may say about the window and the resolution of a history request. */
export interface HistoryRequest {
  from?: Date | null;
  to?: Date | null;
  lastMinutes?: number | null;
  bucketSeconds?: number | null;
  maxPoints?: number | null;
  limit?: number | null;
}

/** A checked request: the window is [from, to). */
export type HistoryPlan =
  | { from: Date; to: Date; mode: 'raw'; limit: number }
  | { from: Date; to: Date; mode: 'bucketed'; bucketMs: number; buckets: number };

/**
 * Resolves and checks the window and the resolution. The window is either `from` (and `to`,
 * default now) or `lastMinutes` before now; at most 31 days. Without `bucketSeconds` or
 * `maxPoints` the series are raw samples, at most `limit` each. Every offending field is named.
 */
export function checkHistoryRequest(
  request: HistoryRequest,
  now: Date,
): { plan: HistoryPlan; problems?: undefined } | { plan?: undefined; problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  const window = resolveWindow(request, now, problems);
  const bucketMs = window && resolveBucket(request, window, problems);
  if (request.limit != null) {
    if (!isIntegerIn(request.limit, 1, HISTORY_LIMITS.maxRawLimit))
      problems.limit = `must be an integer from 1 to ${HISTORY_LIMITS.maxRawLimit}`;
    else if (request.bucketSeconds != null || request.maxPoints != null)
      problems.limit = 'applies to raw samples only (without bucketSeconds or maxPoints)';
  }
  if (Object.keys(problems).length || !window) return { problems };
  if (bucketMs === undefined)
    return { plan: { ...window, mode: 'raw', limit: request.limit ?? HISTORY_LIMITS.defaultRawLimit } };
  return { plan: { ...window, mode: 'bucketed', bucketMs, buckets: bucketCount(window.from, window.to, bucketMs) } };
}

/** checkHistoryRequest for callers that want the plan or an InvalidInputError. */
export function planHistory(request: HistoryRequest, now: Date): HistoryPlan {
  const { plan, problems } = checkHistoryRequest(request, now);
  if (!plan) throw new InvalidInputError(describeProblems('Invalid history request', problems), problems);
  return plan;
}

/** "Invalid history request: to must be after from; limit …": every field and what is wrong with it. */
export function describeProblems(what: string, problems: Record<string, string>): string {
  return `${what}: ${Object.entries(problems)
    .map(([field, problem]) => `${field} ${problem}`)
    .join('; ')}`;
}

/** Points in each series of a plan, at most: what a response can weigh. */
export function pointsPerSeries(plan: HistoryPlan): number {
  return plan.mode === 'raw' ? plan.limit : plan.buckets;
}

/**
 * Buckets are aligned to multiples of their width since the Unix epoch, not to `from`: the
 * buckets of a sliding "last 15 minutes" window then stay where they are from one refresh to
 * the next, so a chart does not shimmer. The first and last bucket may be cut by the window.
 */
export function bucketCount(from: Date, to: Date, bucketMs: number): number {
  return Math.floor((to.getTime() - 1) / bucketMs) - Math.floor(from.getTime() / bucketMs) + 1;
}

function resolveWindow(
  request: HistoryRequest,
  now: Date,
  problems: Record<string, string>,
): { from: Date; to: Date } | undefined {
  const { from, to, lastMinutes } = request;
  const maxMinutes = (HISTORY_LIMITS.maxWindowDays * DAY_MS) / MINUTE_MS;
  if (lastMinutes != null) {
    if (from != null || to != null) problems.lastMinutes = 'give either lastMinutes or from/to, not both';
    else if (!isIntegerIn(lastMinutes, 1, maxMinutes))
      problems.lastMinutes = `must be an integer from 1 to ${maxMinutes}`;
    else return { from: new Date(now.getTime() - lastMinutes * MINUTE_MS), to: now };
    return undefined;
  }
  if (from == null) {
    problems.from = to == null ? 'give from (and optionally to) or lastMinutes' : 'is required with to';
    return undefined;
  }
  const end = to ?? now;
  if (!isValidDate(from)) problems.from = 'must be an ISO-8601 date-time';
  if (!isValidDate(end)) problems.to = 'must be an ISO-8601 date-time';
  if (problems.from || problems.to) return undefined;
  if (from.getTime() >= end.getTime()) {
    problems[to == null ? 'from' : 'to'] =
      to == null ? 'must be before now (to defaults to now)' : 'must be after from';
    return undefined;
  }
  if (end.getTime() - from.getTime() > HISTORY_LIMITS.maxWindowDays * DAY_MS) {
    problems.from = `the window from from to to is at most ${HISTORY_LIMITS.maxWindowDays} days`;
    return undefined;
  }
  return { from, to: end };
}

/** The bucket width in milliseconds, or undefined for raw samples. */
function resolveBucket(
  request: HistoryRequest,
  window: { from: Date; to: Date },
  problems: Record<string, string>,
): number | undefined {
  const { bucketSeconds, maxPoints } = request;
  if (bucketSeconds != null && maxPoints != null) {
    problems.maxPoints = 'give either bucketSeconds or maxPoints, not both';
    return undefined;
  }
  if (maxPoints != null) {
    if (!isIntegerIn(maxPoints, 2, HISTORY_LIMITS.maxBuckets)) {
      problems.maxPoints = `must be an integer from 2 to ${HISTORY_LIMITS.maxBuckets}`;
      return undefined;
    }
    return widthForPoints(window.from, window.to, maxPoints);
  }
  if (bucketSeconds == null) return undefined;
  const bucketMs = Math.round(bucketSeconds * 1000);
  if (!Number.isFinite(bucketSeconds) || bucketMs < 1 || Math.abs(bucketSeconds * 1000 - bucketMs) > 1e-6) {
    problems.bucketSeconds = 'must be a positive whole number of milliseconds (0.001 or more)';
    return undefined;
  }
  if (bucketMs > HISTORY_LIMITS.maxWindowDays * DAY_MS) {
    problems.bucketSeconds = `must be at most ${HISTORY_LIMITS.maxWindowDays} days`;
    return undefined;
  }
  const buckets = bucketCount(window.from, window.to, bucketMs);
  if (buckets > HISTORY_LIMITS.maxBuckets) {
    problems.bucketSeconds = `gives ${buckets} buckets per series over this window; at most ${HISTORY_LIMITS.maxBuckets}`;
    return undefined;
  }
  return bucketMs;
}

/**
 * The bucket width for at most `maxPoints` buckets: maxPoints − 1 widths cover the window
 * wherever it starts, so epoch alignment adds at most one bucket. From a second up the width
 * is a whole number of seconds, and from four minutes up of minutes, so that the per-second
 * and per-minute rollups serve the buckets instead of the raw samples; that may give fewer
 * points than asked (at least 80 % of them from four minutes up, half of them from a second
 * up), and exactly maxPoints when the window is aligned to the width (e.g. 15 whole minutes
 * in 300 buckets of 3 s).
 */
function widthForPoints(from: Date, to: Date, maxPoints: number): number {
  const span = to.getTime() - from.getTime();
  const exact = Math.max(1, Math.ceil(span / (maxPoints - 1)));
  const unit = exact >= 4 * MINUTE_MS ? MINUTE_MS : exact >= 1000 ? 1000 : 1;
  if (unit === 1) return exact;
  let width = Math.ceil(span / maxPoints / unit) * unit;
  while (bucketCount(from, to, width) > maxPoints) width += unit;
  return width;
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function isValidDate(value: Date): boolean {
  return value instanceof Date && !Number.isNaN(value.getTime());
}
