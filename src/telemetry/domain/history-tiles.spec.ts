import { describe, expect, it } from '@jest/globals';
import { historyTiles, type Tile } from './history-tiles.js';

const T0 = Date.parse('2026-11-21T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
const spans = (tiles: Tile[]) => tiles.map((t) => [t.source, t.from.getTime() - T0, t.to.getTime() - T0]);
const LEVELS = [60_000, 1000];

describe('historyTiles', () => {
  it('serves an aligned window from the coarsest level the bucket width is a multiple of', () => {
    expect(spans(historyTiles(at(0), at(900_000), 300_000, LEVELS))).toEqual([[0, 0, 900_000]]);
    expect(spans(historyTiles(at(0), at(900_000), 3000, LEVELS))).toEqual([[1, 0, 900_000]]);
  });

  it('reads the edges that cut through periods from finer levels, then from raw samples', () => {
    const sut = historyTiles(at(-61_500), at(120_250), 120_000, LEVELS);
    expect(spans(sut)).toEqual([
      [0, -60_000, 120_000],
      [1, -61_000, -60_000],
      ['raw', -61_500, -61_000],
      ['raw', 120_000, 120_250],
    ]);
  });

  it('covers the window exactly once, whatever its edges', () => {
    for (const [from, to, bucket] of [
      [-61_500, 120_250, 120_000],
      [10, 990, 1000],
      [-1, 1, 60_000],
      [123, 7_200_123, 3000],
      [0, 500, 2500],
    ]) {
      const sut = historyTiles(at(from), at(to), bucket, LEVELS)
        .map((t) => [t.from.getTime() - T0, t.to.getTime() - T0])
        .sort((a, b) => a[0] - b[0]);
      expect(sut[0][0]).toBe(from);
      expect(sut.at(-1)![1]).toBe(to);
      for (let i = 1; i < sut.length; i++) expect(sut[i][0]).toBe(sut[i - 1][1]);
    }
  });

  it('uses raw samples only when the bucket width is not a whole number of seconds', () => {
    expect(spans(historyTiles(at(0), at(10_000), 2500, LEVELS))).toEqual([['raw', 0, 10_000]]);
  });
});
