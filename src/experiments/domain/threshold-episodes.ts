/**
 * Threshold episodes of one subscription: an episode starts when a numeric value leaves
 * [min, max] and ends when a value is back inside the band by at least the hysteresis
 * `h = hysteresisPercent / 100 × (max − min)`, i.e. min + h ≤ value ≤ max − h. A value
 * between a limit and that inner line (the hysteresis zone) neither ends an open episode nor
 * starts one, so a value flapping around a limit by less than h raises nothing more.
 * A value beyond the other limit ends the open episode and starts one at that limit.
 */
export type ThresholdLimit = 'MIN' | 'MAX';

export interface ThresholdBand {
  min: number;
  max: number;
  /** Percent of (max − min), ≥ 0. */
  hysteresisPercent: number;
}

export interface OpenEpisode {
  limit: ThresholdLimit;
  /** The crossed limit's value. */
  limitValue: number;
  startedAt: Date;
  /** The value that started it. */
  startValue: number;
  /** The furthest value beyond the limit so far. */
  peak: number;
}

export interface ClosedEpisode extends OpenEpisode {
  endedAt: Date;
}

export interface EpisodeStep {
  /** The episode open after this value, null when none. */
  open: OpenEpisode | null;
  /** Ended by this value. */
  ended: ClosedEpisode | null;
  /** Started by this value. */
  started: OpenEpisode | null;
  /** The open episode's peak moved (it stays open). */
  peakMoved: boolean;
}

export function hysteresisOf(band: ThresholdBand): number {
  return (Math.max(0, band.hysteresisPercent) / 100) * (band.max - band.min);
}

function limitCrossed(band: ThresholdBand, value: number): ThresholdLimit | null {
  if (value > band.max) return 'MAX';
  if (value < band.min) return 'MIN';
  return null;
}

function beyond(limit: ThresholdLimit, a: number, b: number): boolean {
  return limit === 'MAX' ? a > b : a < b;
}

/** What one value (in time order) does to the subscription's episode. Non-finite values change nothing. */
export function stepEpisode(band: ThresholdBand, open: OpenEpisode | null, value: number, ts: Date): EpisodeStep {
  const none: EpisodeStep = { open, ended: null, started: null, peakMoved: false };
  if (!Number.isFinite(value)) return none;
  const crossed = limitCrossed(band, value);
  if (open) {
    if (crossed === open.limit) {
      if (!beyond(open.limit, value, open.peak)) return none;
      return { open: { ...open, peak: value }, ended: null, started: null, peakMoved: true };
    }
    const h = hysteresisOf(band);
    const back = crossed === null && value >= band.min + h && value <= band.max - h;
    if (!back && crossed === null) return none;
    const ended: ClosedEpisode = { ...open, endedAt: ts };
    if (crossed === null) return { open: null, ended, started: null, peakMoved: false };
    const started = startAt(band, crossed, value, ts);
    return { open: started, ended, started, peakMoved: false };
  }
  if (crossed === null) return none;
  const started = startAt(band, crossed, value, ts);
  return { open: started, ended: null, started, peakMoved: false };
}

function startAt(band: ThresholdBand, limit: ThresholdLimit, value: number, ts: Date): OpenEpisode {
  return {
    limit,
    limitValue: limit === 'MAX' ? band.max : band.min,
    startedAt: ts,
    startValue: value,
    peak: value,
  };
}

/** Subscription limits: min < max, both finite; problems under the field to correct. */
export function thresholdProblems(min: number | null, max: number | null): Record<string, string> {
  const problems: Record<string, string> = {};
  if (min === null) problems.min = 'is required: the PV has no default thresholdMin';
  else if (!Number.isFinite(min)) problems.min = 'must be a finite number';
  if (max === null) problems.max = 'is required: the PV has no default thresholdMax';
  else if (!Number.isFinite(max)) problems.max = 'must be a finite number';
  if (min !== null && max !== null && Number.isFinite(min) && Number.isFinite(max) && !(min < max))
    problems.max = 'must be greater than min';
  return problems;
}

/** The e-mail of an episode start, naming the PV, the value and the limit. */
export function episodeEmail(input: {
  pvName: string;
  pvDisplayName: string | null;
  unit: string;
  episode: OpenEpisode;
}): { subject: string; text: string } {
  const { pvName, pvDisplayName, unit, episode } = input;
  const u = unit ? ` ${unit}` : '';
  const side = episode.limit === 'MAX' ? 'above its maximum' : 'below its minimum';
  const label = pvDisplayName ? `${pvName} (${pvDisplayName})` : pvName;
  return {
    subject: `Threshold: ${pvName} is ${side} (${episode.startValue}${u})`,
    text:
      `The process variable ${label} is ${side}.\n` +
      `Value: ${episode.startValue}${u} at ${episode.startedAt.toISOString()}\n` +
      `Limit: ${episode.limit === 'MAX' ? 'max' : 'min'} ${episode.limitValue}${u}\n`,
  };
}
