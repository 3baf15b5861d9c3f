import { describe, expect, it } from '@jest/globals';
import { seededRandom } from './daily-ppmv.js';
import { investigateLeak, type InvestigationInput } from './leak-investigation.js';
import { simulateLeaks, type LeakSimulationInput } from './leak-simulation.js';

/** A day and one row of a tidal ellipse, as the simulator's demo currents. */
const CURRENTS = Array.from({ length: 145 }, (_, k) => {
  const phase = (2 * Math.PI * k) / 74.5;
  return { u: 0.12 * Math.cos(phase), v: 0.05 * Math.sin(phase) + 0.02 };
});
const SIMULATION: LeakSimulationInput = {
  template: { angleFromNorth: (12.2 * Math.PI) / 180 },
  sensor: { x: 6, y: 4, z: 4.5 },
  // Around the sensor, so that each plume passes it at another phase of the tide.
  leaks: [
    { x: 0, y: 0, z: 3, rate: 4.8e-4 },
    { x: 20, y: -10, z: 2, rate: 4.8e-4 },
    { x: -14, y: 10, z: 2, rate: 4.8e-4 },
    { x: 10, y: 20, z: 3, rate: 4.8e-4 },
  ],
  currents: CURRENTS,
};
const IDS = [101, 102, 103, 104];

/** Background ppmv with noise, plus what candidate `k` would add, scaled to `height` ppmv at its peak. */
function readingsWith(k: number, height: number, seed = 3): number[] {
  const simulated = simulateLeaks(SIMULATION);
  if (!simulated.supported) throw new Error(simulated.message);
  const series = simulated.leaks[k].response;
  const peak = Math.max(...series);
  const random = seededRandom(seed);
  return Array.from(series, (x) => 40 + (random() - 0.5) * 2 + (height * x) / peak);
}

const input = (readings: number[], overrides: Partial<InvestigationInput> = {}): InvestigationInput => ({
  candidateIds: IDS,
  simulation: SIMULATION,
  readings,
  neighbours: [],
  ...overrides,
});

describe('investigating a CRITICAL reading', () => {
  it('names the candidate whose simulated plume the readings follow', () => {
    const simulated = simulateLeaks(SIMULATION);
    if (!simulated.supported) throw new Error(simulated.message);
    // Each candidate the sensor sees for a while: its plume passes at its own phase of the tide.
    const seen = simulated.leaks.flatMap((leak, k) => (leak.detectionRate > 0.05 ? [k] : []));
    expect(seen.length).toBeGreaterThanOrEqual(3);
    for (const k of seen) {
      const outcome = investigateLeak(input(readingsWith(k, 300, k + 1)));
      expect(outcome).toMatchObject({ result: 'CONFIRMED', confirmed: IDS[k] });
      if ('detectionRates' in outcome) expect(outcome.detectionRates).toHaveLength(IDS.length);
    }
  });

  it('calls it an external cause when the neighbours move the same way and no candidate explains it', () => {
    const random = seededRandom(9);
    // A slow swell unlike any plume, shared by the template's sensors.
    const swell = Array.from({ length: 144 }, (_, t) => 40 + 30 * Math.sin(t / 9) + random());
    const outcome = investigateLeak(
      input(swell, { neighbours: [swell.map((x) => x * 1.1 + 2), swell.map((x) => x * 0.9 - 1)] }),
    );
    expect(outcome).toMatchObject({ result: 'EXTERNAL_CAUSE', reason: 'NEIGHBOURS_MOVE_TOGETHER' });
  });

  it('is NOT_SUPPORTED on a closed template and UNDEFINED without candidates', () => {
    expect(
      investigateLeak(
        input(readingsWith(0, 100), { simulation: { ...SIMULATION, template: { angleFromNorth: 0, roofHeight: 9 } } }),
      ),
    ).toEqual({ result: 'NOT_SUPPORTED', reason: expect.stringContaining('open templates only') });
    expect(investigateLeak(input(readingsWith(0, 100), { candidateIds: [] }))).toEqual({
      result: 'UNDEFINED',
      reason: 'NO_CANDIDATES',
    });
  });
});
