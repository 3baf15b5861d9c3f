import { describe, expect, it } from '@jest/globals';
import type { AnomalyLevel } from './anomaly-level.js';
import { FOLLOW_UPS_PER_EPISODE, followUpDue, nextEpisode, type CriticalEpisode } from './investigation-follow-up.js';

const ts = (k: number) => new Date(Date.UTC(2026, 0, 1) + k * 600_000);
const sinceOf = (episode: CriticalEpisode) => (episode.since.getTime() - ts(0).getTime()) / 600_000;

/** Runs the rule over levels (a change is a level unlike the one before): the first reading of each follow-up's range. */
function run(levels: readonly AnomalyLevel[], every: number, start: CriticalEpisode | null = null) {
  let episode = start;
  const due: Array<{ k: number; number: number; since: number }> = [];
  levels.forEach((level, k) => {
    episode = nextEpisode(episode, { ts: ts(k), level, changed: level !== (k ? levels[k - 1] : null) });
    const number = episode && followUpDue(episode.readings, every);
    if (episode && number && !due.some((d) => d.number === number && d.since === sinceOf(episode!)))
      due.push({ k, number, since: sinceOf(episode) });
  });
  return { episode, due };
}

describe('follow-up investigations while CRITICAL', () => {
  it('are due every `every` readings after the change to CRITICAL, at most FOLLOW_UPS_PER_EPISODE times', () => {
    expect(FOLLOW_UPS_PER_EPISODE).toBe(3);
    const levels: AnomalyLevel[] = ['OK', 'WARNING', ...Array<AnomalyLevel>(60).fill('CRITICAL')];
    expect(run(levels, 12).due).toEqual([
      { k: 14, number: 1, since: 2 },
      { k: 26, number: 2, since: 2 },
      { k: 38, number: 3, since: 2 },
    ]);
    expect(run(levels, 5).due.map((d) => d.k)).toEqual([7, 12, 17]);
  });

  it('not at the change itself (the CRITICAL investigation is that one), each in its range (a late request), none when off (0)', () => {
    expect(followUpDue(0, 12)).toBeNull();
    expect(followUpDue(11, 12)).toBeNull();
    expect(followUpDue(12, 12)).toBe(1);
    expect(followUpDue(23, 12)).toBe(1);
    expect(followUpDue(24, 12)).toBe(2);
    expect(followUpDue(47, 12)).toBe(3);
    expect(followUpDue(48, 12)).toBeNull();
    expect(followUpDue(12, 0)).toBeNull();
    expect(run(['WARNING', ...Array<AnomalyLevel>(30).fill('CRITICAL')], 0).due).toEqual([]);
  });

  it('a level other than CRITICAL ends the episode; a new change to CRITICAL starts the count over', () => {
    const levels: AnomalyLevel[] = [
      'WARNING',
      ...Array<AnomalyLevel>(8).fill('CRITICAL'),
      'WARNING',
      ...Array<AnomalyLevel>(13).fill('CRITICAL'),
    ];
    // The first episode (k 1–8) is too short; the second starts at k 10, its first follow-up 12 later.
    expect(run(levels, 12).due).toEqual([{ k: 22, number: 1, since: 10 }]);
    expect(nextEpisode({ since: ts(1), readings: 5 }, { ts: ts(7), level: 'OK', changed: true })).toBeNull();
  });

  it('resumed from the stored episode (a restart mid-episode), gives the follow-ups of an uninterrupted run, none twice or lost', () => {
    const levels: AnomalyLevel[] = ['OK', ...Array<AnomalyLevel>(40).fill('CRITICAL')];
    const whole = run(levels, 12).due;
    for (const cut of [1, 5, 13, 25, 37]) {
      const before = run(levels.slice(0, cut), 12);
      // What a new owner derives: the change to CRITICAL (its last sensor event) and the readings scored since it.
      const stored = before.episode && { since: before.episode.since, readings: before.episode.readings };
      let episode: CriticalEpisode | null = stored;
      const after: Array<{ k: number; number: number }> = [];
      for (let k = cut; k < levels.length; k++) {
        episode = nextEpisode(episode, { ts: ts(k), level: levels[k], changed: levels[k] !== levels[k - 1] });
        const number = episode && followUpDue(episode.readings, 12);
        if (number && ![...before.due.map((d) => d.number), ...after.map((a) => a.number)].includes(number))
          after.push({ k, number });
      }
      expect([...before.due.map((d) => d.k), ...after.map((a) => a.k)]).toEqual(whole.map((d) => d.k));
    }
  });

  it('a CRITICAL reading without a known episode is not counted from a guess', () => {
    expect(nextEpisode(null, { ts: ts(3), level: 'CRITICAL', changed: false })).toBeNull();
  });
});
