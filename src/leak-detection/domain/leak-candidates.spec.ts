import { describe, expect, it } from '@jest/globals';
import { applyRules } from '../../shared/validation/field-rules.js';
import { LEAK_CANDIDATE_RULES, REFERENCE_LEAK_CANDIDATES } from './leak-candidates.js';
import { DEFAULT_PLUME_PARAMETERS } from './plume-model.js';
import { PLUME_PARAMETER_RULES } from './plume-parameters.js';

describe('candidate leaks', () => {
  it("are the reference's five: LMF1–LMF4 at one position, LPFL at its own, 4.8491e-4 kg/s for 300 s", () => {
    expect(REFERENCE_LEAK_CANDIDATES.map((c) => c.name)).toEqual(['LMF1', 'LMF2', 'LMF3', 'LMF4', 'LPFL']);
    expect(new Set(REFERENCE_LEAK_CANDIDATES.slice(0, 4).map((c) => `${c.x},${c.y},${c.z}`))).toEqual(
      new Set(['-4.84,2.47,3.7']),
    );
    expect(REFERENCE_LEAK_CANDIDATES[4]).toMatchObject({ x: -1.311, y: 5.023, z: 3.2 });
    for (const candidate of REFERENCE_LEAK_CANDIDATES) {
      expect(candidate).toMatchObject({ rate: 4.8491e-4, duration: 300 });
      expect(applyRules(candidate, LEAK_CANDIDATE_RULES).problems).toEqual({});
    }
  });

  it('name every offending field', () => {
    const { problems } = applyRules(
      { name: ' ', x: Number.NaN, y: 1, z: 'high', rate: -1, duration: 0 },
      LEAK_CANDIDATE_RULES,
    );
    expect(problems).toEqual({
      name: 'must be 1 to 100 characters',
      x: 'must be a finite number',
      z: 'must be a finite number',
      rate: 'must be at least 0',
      duration: 'must be greater than 0',
    });
    expect(applyRules({ name: '#1' }, LEAK_CANDIDATE_RULES).problems).toEqual({
      name: expect.stringMatching(/must start with a letter or digit/),
    });
  });
});

describe('plume parameters', () => {
  it("accept the reference's values and name every value outside the model's domain", () => {
    expect(applyRules(DEFAULT_PLUME_PARAMETERS, PLUME_PARAMETER_RULES).problems).toEqual({});
    expect(applyRules({ a: 0, q: -0.1, kappa: -1, depth: Infinity }, PLUME_PARAMETER_RULES).problems).toEqual({
      a: 'must be greater than 0',
      q: 'must be greater than 0',
      kappa: 'must be at least 0',
      depth: 'must be a finite number',
    });
  });
});
