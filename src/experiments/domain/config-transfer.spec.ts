import { describe, expect, it } from '@jest/globals';
import {
  checkedConfig,
  ConfigFileError,
  readConfigJson,
  writeConfigJson,
  type ExperimentsConfig,
} from './config-transfer.js';

const CONFIG: ExperimentsConfig = {
  experiments: [{ name: 'Lab', displayName: 'a;b&c=d\n"ü"' }],
  pvs: [
    {
      name: 'Lab:T',
      displayName: null,
      unit: '',
      type: 'NUMBER',
      writable: true,
      thresholdMin: -1,
      thresholdMax: 2.5,
      setMin: null,
      setMax: null,
    },
  ],
  assignments: [{ experimentName: 'Lab', username: 'u@x.org' }],
  subscriptions: [{ pvName: 'Lab:T', username: 'u@x.org', email: 'u@x.org', min: 0, max: 1 }],
};

function errorOf(run: () => unknown): ConfigFileError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigFileError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('the JSON configuration', () => {
  it('round-trips, and gives the same bytes when written again', () => {
    const text = writeConfigJson(CONFIG);
    const read = readConfigJson(text);
    expect(read).toEqual(CONFIG);
    expect(writeConfigJson(read)).toBe(text);
  });

  it('names the line of a syntax error and the path of a wrong value', () => {
    expect(errorOf(() => readConfigJson('{\n  "format": \n}')).line).toBe(3);
    const wrong = JSON.parse(writeConfigJson(CONFIG)) as {
      experiments: Array<{ pvs: Array<Record<string, unknown>> }>;
    };
    wrong.experiments[0].pvs[0].writable = 'yes';
    const error = errorOf(() => readConfigJson(JSON.stringify(wrong)));
    expect(error.message).toBe('$.experiments[0].pvs[0].writable: must be true or false');
    expect(error.details).toMatchObject({ path: '$.experiments[0].pvs[0].writable' });
  });
});

describe('checking a configuration', () => {
  it('adds the experiment of a PV that has none in the file, leaving its name as it is', () => {
    const checked = checkedConfig({
      ...CONFIG,
      experiments: [],
      assignments: [],
      pvs: [{ name: 'Other:X', line: 4 }],
      subscriptions: [],
    });
    expect(checked.experiments).toEqual([{ name: 'Other', line: 4 }]);
  });

  it('refuses what is there twice, naming both lines', () => {
    const error = errorOf(() =>
      checkedConfig({
        ...CONFIG,
        pvs: [
          { name: 'Lab:T', line: 2 },
          { name: 'Lab:T', line: 5 },
        ],
        subscriptions: [],
      }),
    );
    expect(error.message).toBe('line 5: PV Lab:T is in the file already (line 2)');
  });

  it('refuses a subscription to a PV that is not in the file', () => {
    const error = errorOf(() =>
      checkedConfig({ ...CONFIG, subscriptions: [{ ...CONFIG.subscriptions[0], pvName: 'Lab:Gone', line: 7 }] }),
    );
    expect(error.line).toBe(7);
  });

  it('refuses bad names', () => {
    expect(
      errorOf(() => checkedConfig({ ...CONFIG, pvs: [{ name: 'Lab:has space', line: 3 }], subscriptions: [] })).line,
    ).toBe(3);
  });
});
