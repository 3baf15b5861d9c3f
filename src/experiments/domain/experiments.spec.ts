import { describe, expect, it } from '@jest/globals';
import { applyRules } from '../../shared/validation/field-rules.js';
import { DEFAULT_PV_FIELDS, PV_RULES, pvProblems } from './experiments.js';

describe('PV fields', () => {
  it('want thresholdMin below thresholdMax when both are given, and allow either alone or 0', () => {
    expect(pvProblems({ ...DEFAULT_PV_FIELDS, thresholdMin: 10, thresholdMax: 10 })).toEqual({
      thresholdMax: 'must be greater than thresholdMin',
    });
    expect(pvProblems({ ...DEFAULT_PV_FIELDS, thresholdMin: 10, thresholdMax: 5 })).toHaveProperty('thresholdMax');
    expect(pvProblems({ ...DEFAULT_PV_FIELDS, thresholdMin: 0, thresholdMax: 0.5 })).toEqual({});
    expect(pvProblems({ ...DEFAULT_PV_FIELDS, thresholdMin: -3 })).toEqual({});
  });

  it('take a set range on NUMBER PVs only, its minimum at most its maximum', () => {
    expect(pvProblems({ ...DEFAULT_PV_FIELDS, setMin: 5, setMax: 5 })).toEqual({});
    expect(pvProblems({ ...DEFAULT_PV_FIELDS, setMin: 6, setMax: 5 })).toEqual({ setMax: 'must be at least setMin' });
    expect(pvProblems({ ...DEFAULT_PV_FIELDS, type: 'TEXT', setMin: 0, setMax: 1 })).toEqual({
      setMin: 'applies to NUMBER PVs only',
      setMax: 'applies to NUMBER PVs only',
    });
  });

  it('are checked one by one, an empty human-readable name meaning none', () => {
    const { fields, problems } = applyRules(
      { displayName: '  ', unit: ' rpm ', writable: 'yes', type: 'BLOB', thresholdMin: Number.NaN },
      PV_RULES,
    );
    expect(fields).toEqual({ displayName: null, unit: 'rpm' });
    expect(Object.keys(problems).sort()).toEqual(['thresholdMin', 'type', 'writable']);
  });
});
