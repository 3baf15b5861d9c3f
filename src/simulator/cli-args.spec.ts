import { describe, expect, it } from '@jest/globals';
import { CliUsageError, parseCliArgs } from './cli-args.js';

function problemsOf(argv: string[]): string[] {
  try {
    parseCliArgs(argv);
  } catch (e) {
    if (e instanceof CliUsageError) return e.problems;
    throw e;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('parseCliArgs', () => {
  it('runs the default plant against the local broker when given nothing', () => {
    expect(parseCliArgs([])).toEqual({
      command: 'run',
      simulator: expect.not.objectContaining({ cncCount: expect.anything() }),
      url: 'mqtt://127.0.0.1:1883',
      qos: 0,
      clientId: undefined,
      progressIntervalMs: 5_000,
      durationMs: undefined,
    });
  });

  it('reads every option of the documented command line', () => {
    const sut = parseCliArgs([
      ...['--url', 'mqtt://broker:1884', '--cnc', '3', '--axes-hz', '20', '--welding', '2', '--welding-hz', '2'],
      ...['--qos', '1', '--seed', '7', '--duration', '1.5', '--root', 'site/a', '--speed', '10', '--axes', 'X,Y,Z'],
      ...['--tool-interval', '0.5', '--progress', '0', '--client-id', 'sim-1'],
    ]);
    expect(sut).toEqual({
      command: 'run',
      url: 'mqtt://broker:1884',
      qos: 1,
      clientId: 'sim-1',
      progressIntervalMs: 0,
      durationMs: 1_500,
      simulator: expect.objectContaining({
        cncCount: 3,
        axesHz: 20,
        weldingCount: 2,
        weldingHz: 2,
        seed: 7,
        rootTopic: 'site/a',
        weldingSpeed: 10,
        axes: ['X', 'Y', 'Z'],
        toolSampleIntervalMs: 500,
      }),
    });
  });

  it('takes explicit codes, which decide the number of machines', () => {
    const sut = parseCliArgs(['--cnc-codes', '81258856,81258857', '--welding-codes', '7G', '--print-registry']);
    expect(sut).toEqual({
      command: 'print-registry',
      simulator: expect.objectContaining({ cncCodes: ['81258856', '81258857'], weldingCodes: ['7G'] }),
    });
  });

  it('reads the RFID board options; the boards alone are something to simulate', () => {
    const sut = parseCliArgs([
      ...['--cnc', '0', '--welding', '0', '--boards', '3', '--board-root', 'lab'],
      ...['--card-holders', '5', '--board-speed', '60'],
    ]);
    expect(sut).toMatchObject({
      command: 'run',
      simulator: { boardCount: 3, boardRootTopic: 'lab', cardHolderCount: 5, boardSpeed: 60 },
    });
    expect(parseCliArgs(['--board-codes', '7,8'])).toMatchObject({ simulator: { boardCodes: ['7', '8'] } });
  });

  it('answers --help', () => {
    expect(parseCliArgs(['--cnc', 'nonsense', '--help'])).toEqual({ command: 'help' });
  });

  it('names every bad argument with what it expected', () => {
    const problems = problemsOf(['--cnc', 'many', '--qos', '2', '--axes-hz=-1', '--url', 'ftp://x', '--axes', 'XQ']);
    expect(problems).toEqual([
      expect.stringMatching(/^--cnc: expected an integer ≥ 0, got "many"/),
      expect.stringMatching(/^--axes: expected letters among XYZAC, got "XQ"/),
      expect.stringMatching(/^--axes-hz: expected a number/),
      expect.stringMatching(/^--qos: expected 0 or 1, got "2"/),
      expect.stringMatching(/^--url: expected mqtt:\/\/host:port/),
    ]);
  });

  it("reports the simulator's own limits under the flag's name", () => {
    expect(problemsOf(['--axes-hz', '500'])).toEqual([expect.stringMatching(/^--axes-hz: a number in \(0, 100\]/)]);
    expect(problemsOf(['--cnc', '0', '--welding', '0', '--boards', '0'])).toEqual([
      expect.stringMatching(/nothing to simulate/),
    ]);
    expect(problemsOf(['--board-codes', '101,B7,70000'])).toEqual([
      expect.stringMatching(/^--board-codes: numbers 0…65535.*\(bad: B7, 70000\)/),
    ]);
    expect(problemsOf(['--board-root', 'machine/+'])).toEqual([expect.stringMatching(/^--board-root:/)]);
    expect(problemsOf(['--cnc-codes', 'a,a'])).toEqual([expect.stringMatching(/must be unique \(repeated: a\)/)]);
    expect(problemsOf(['--leak-sites', '4', '--leak-interval', '5'])).toEqual([
      expect.stringMatching(/^--leak-sites: an integer 0…3/),
      expect.stringMatching(/^--leak-interval: an integer 10…600000/),
    ]);
    expect(parseCliArgs(['--cnc', '0', '--welding', '0', '--boards', '0', '--leak-sites', '1'])).toMatchObject({
      simulator: { leakSiteCount: 1 },
    });
  });

  it('refuses unknown options and stray arguments', () => {
    expect(problemsOf(['--cnx', '3'])[0]).toMatch(/--cnx/);
    expect(problemsOf(['20'])[0]).toMatch(/20/);
  });
});
