import { describe, expect, it } from '@jest/globals';
import { experimentOfPv, isExperimentName, isPvName, pvNameOfTopicPath, pvTopicPath } from './pv-name.js';

describe('PV names', () => {
  it('belong to the experiment named by the text before the first colon', () => {
    expect(experimentOfPv('Test:Machine3:FanSpeed1')).toBe('Test');
    expect(experimentOfPv('Test:a')).toBe('Test');
    expect(experimentOfPv('Standalone')).toBe('Standalone');
  });

  it('map colons to topic levels and back', () => {
    expect(pvTopicPath('Test:Machine3:FanSpeed1')).toBe('Test/Machine3/FanSpeed1');
    expect(pvNameOfTopicPath('Test/Machine3/FanSpeed1')).toBe('Test:Machine3:FanSpeed1');
    expect(pvNameOfTopicPath(pvTopicPath('a.b-c_d:E:f'))).toBe('a.b-c_d:E:f');
  });

  it('refuse what a topic level cannot carry or an empty segment would make ambiguous', () => {
    for (const bad of ['', ':', 'a:', ':a', 'a::b', 'a/b', 'a+b', 'a#', 'a b', 'ä:b', 'x'.repeat(101)])
      expect({ bad, ok: isPvName(bad) }).toEqual({ bad, ok: false });
    for (const good of ['Test:Machine3:FanSpeed1', 'T', 'a.b-c_d:E', 'x'.repeat(100)])
      expect({ good, ok: isPvName(good) }).toEqual({ good, ok: true });
    expect(isExperimentName('Test')).toBe(true);
    expect(isExperimentName('Test:Sub')).toBe(false);
  });
});
