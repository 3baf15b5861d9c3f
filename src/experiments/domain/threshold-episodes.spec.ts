import { describe, expect, it } from '@jest/globals';
import {
  episodeEmail,
  hysteresisOf,
  stepEpisode,
  thresholdProblems,
  type OpenEpisode,
  type ThresholdBand,
} from './threshold-episodes.js';

const band: ThresholdBand = { min: 0, max: 100, hysteresisPercent: 2 };
const at = (s: number): Date => new Date(Date.UTC(2026, 0, 1, 0, 0, s));

/** Runs values through, collecting started and ended episodes. */
function run(values: number[], from: OpenEpisode | null = null) {
  let open = from;
  const started: OpenEpisode[] = [];
  const ended: OpenEpisode[] = [];
  values.forEach((value, i) => {
    const step = stepEpisode(band, open, value, at(i));
    if (step.ended) ended.push(step.ended);
    if (step.started) started.push(step.started);
    open = step.open;
  });
  return { open, started, ended };
}

describe('threshold episodes', () => {
  it('hysteresis is a percentage of the band', () => {
    expect(hysteresisOf(band)).toBe(2);
  });

  it('start when a value leaves the band and end when it is back by the hysteresis', () => {
    const { started, ended, open } = run([50, 101, 105, 103, 97, 120]);
    expect(started.map((e) => [e.limit, e.limitValue, e.startValue])).toEqual([
      ['MAX', 100, 101],
      ['MAX', 100, 120],
    ]);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ peak: 105, startedAt: at(1), endedAt: at(4) });
    expect(open).toMatchObject({ startValue: 120 });
  });

  it('a value flapping around a limit within the hysteresis starts one episode only', () => {
    const { started, ended, open } = run([101, 99, 101, 98.5, 100.5, 99]);
    expect(started).toHaveLength(1);
    expect(ended).toHaveLength(0);
    expect(open).not.toBeNull();
  });

  it('a value inside the band but in the hysteresis zone starts nothing', () => {
    expect(run([99, 1, 99.9, 0]).started).toHaveLength(0);
  });

  it('the lower limit works the same way, its peak being the lowest value', () => {
    const { started, ended } = run([-1, -5, -3, 1, 2]);
    expect(started).toHaveLength(1);
    expect(ended[0]).toMatchObject({ limit: 'MIN', limitValue: 0, peak: -5, endedAt: at(4) });
  });

  it('a jump beyond the other limit ends the episode and starts one there', () => {
    const { started, ended } = run([110, -10]);
    expect(started.map((e) => e.limit)).toEqual(['MAX', 'MIN']);
    expect(ended.map((e) => e.limit)).toEqual(['MAX']);
  });

  it('with no hysteresis a value back on the limit ends it', () => {
    const tight: ThresholdBand = { min: 0, max: 10, hysteresisPercent: 0 };
    const { open } = stepEpisode(tight, null, 11, at(0));
    expect(stepEpisode(tight, open, 10, at(1)).ended).not.toBeNull();
  });

  it('non-finite values change nothing', () => {
    expect(run([Number.NaN, Number.POSITIVE_INFINITY]).started).toHaveLength(0);
  });

  it('limits need min < max, naming the field', () => {
    expect(thresholdProblems(5, 5)).toEqual({ max: 'must be greater than min' });
    expect(thresholdProblems(null, 5)).toHaveProperty('min');
    expect(thresholdProblems(1, 5)).toEqual({});
  });

  it('the e-mail names the PV, the value and the limit', () => {
    const episode = run([123.5]).started[0];
    const mail = episodeEmail({ pvName: 'Lab:T1', pvDisplayName: 'Oven', unit: '°C', episode });
    expect(mail.subject).toContain('Lab:T1');
    expect(mail.text).toContain('123.5 °C');
    expect(mail.text).toContain('max 100 °C');
  });
});
