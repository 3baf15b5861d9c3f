import { describe, expect, it } from '@jest/globals';
import { completeTimeInState, plausibilityLimits } from './production-report.js';

describe('plausibility limits', () => {
  it('are the highest standard of all active element types plus the margin', () => {
    const sut = plausibilityLimits(
      [
        { currentMin: 180, currentMax: 270, voltageMin: 15, voltageMax: 35 },
        { currentMin: 90, currentMax: 310, voltageMin: 10, voltageMax: 28 },
      ],
      { current: 50, voltage: 20 },
    );
    expect(sut).toEqual({ current: 360, voltage: 55 });
  });

  it('are absent without any standard: nothing is called a spike', () => {
    expect(plausibilityLimits([], { current: 50, voltage: 20 })).toEqual({ current: null, voltage: null });
  });
});

describe('production figures', () => {
  it('list every state, zero for the absent ones', () => {
    expect(completeTimeInState({ PRODUCTION: 12.5 })).toEqual([
      { state: 'OFF', seconds: 0 },
      { state: 'IDLE', seconds: 0 },
      { state: 'PRODUCTION', seconds: 12.5 },
    ]);
  });
});
