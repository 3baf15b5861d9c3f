import { describe, expect, it } from '@jest/globals';
import { ConfigFileError, type ExperimentsConfig } from './config-transfer.js';
import { escapeRtpdbValue, readRtpdb, RTPDB_FORMAT_LINE, writeRtpdb } from './rtpdb.js';

/** mulberry32: a seeded sequence, so that a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The characters the original corrupted or that could break the layout, and some that must pass as they are. */
const ALPHABET = [
  ';',
  '&',
  '=',
  '%',
  '\n',
  '\r',
  '\t',
  ' ',
  '#',
  '[',
  ']',
  'None',
  'True',
  '&SMKL&',
  '&amp;',
  '%3B',
  'ä',
  'é',
  '°C',
  'µ',
  '温度',
  '😀',
  '\u2028',
  '\u00a0',
  '\ufeff',
  'a',
  'Z',
  '0',
  ':',
  '"',
  "'",
  '<b>',
  '\\',
];

function randomText(next: () => number): string {
  const length = Math.floor(next() * 8);
  let text = '';
  for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return text;
}

function config(displayName: string | null, unit: string, username: string, email: string): ExperimentsConfig {
  return {
    experiments: [{ name: 'Lab', displayName }],
    pvs: [
      {
        name: 'Lab:T1',
        displayName,
        unit,
        writable: true,
        type: 'NUMBER',
        thresholdMin: -1.5,
        thresholdMax: 1e21,
        setMin: null,
        setMax: 0,
      },
    ],
    assignments: [{ experimentName: 'Lab', username }],
    subscriptions: [{ pvName: 'Lab:T1', username, email, min: 0.1, max: 3 }],
  };
}

/** What the reader gives back, without where it read it. */
function withoutLines(c: ExperimentsConfig) {
  const strip = <T extends { line?: number }>(items: T[]) => items.map(({ line: _line, ...rest }) => rest);
  return {
    experiments: strip(c.experiments),
    pvs: strip(c.pvs),
    assignments: strip(c.assignments),
    subscriptions: strip(c.subscriptions),
  };
}

describe('.rtpdb files', () => {
  it('round-trip every value losslessly, over 2,000 random texts of the special characters', () => {
    const next = random(20261204);
    for (let i = 0; i < 2000; i++) {
      const original = config(
        next() < 0.2 ? null : randomText(next),
        randomText(next),
        randomText(next) || 'x',
        randomText(next) || 'y',
      );
      const text = writeRtpdb(original);
      const read = readRtpdb(text);
      expect(withoutLines(read)).toEqual(withoutLines(original));
      // Written again, the same bytes.
      expect(writeRtpdb(read)).toBe(text);
    }
  });

  it('keep empty, absent and "None" apart', () => {
    const read = readRtpdb(writeRtpdb(config('None', '', 'u@x.org', 'None')));
    expect(read.experiments[0].displayName).toBe('None');
    expect(read.pvs[0].unit).toBe('');
    expect(read.subscriptions[0].email).toBe('None');
    const absent = readRtpdb(writeRtpdb(config(null, '', 'u@x.org', 'e@x.org')));
    expect(absent.experiments[0].displayName).toBeNull();
    expect(absent.pvs[0].displayName).toBeNull();
  });

  it('escape only what must be escaped, in %XX', () => {
    expect(escapeRtpdbValue('a;b&c=d%e')).toBe('a%3Bb%26c%3Dd%25e');
    expect(escapeRtpdbValue(' two\nlines ')).toBe('%20two%0Alines%20');
    expect(escapeRtpdbValue('Kühler 温度 a b')).toBe('Kühler 温度 a b');
    expect(escapeRtpdbValue('None')).toBe('%4Eone');
    expect(escapeRtpdbValue('')).toBe('');
  });

  it('write the original layout, with our format line and keys added', () => {
    const text = writeRtpdb({
      experiments: [{ name: 'TEST', displayName: 'TEST-Experiment' }],
      pvs: [
        {
          name: 'TEST:Machine1:PowerOn',
          displayName: 'Machine 1 - State',
          writable: false,
          thresholdMin: 20,
          thresholdMax: 50,
          unit: '',
          type: 'NUMBER',
          setMin: null,
          setMax: null,
        },
      ],
      assignments: [],
      subscriptions: [],
    });
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      '#'.repeat(48),
      '#               rtpserver-export               #',
      '#'.repeat(48),
    ]);
    expect(lines).toContain(RTPDB_FORMAT_LINE);
    expect(lines).toContain('[EXPERIMENT];short_id=TEST;human_readable_name=TEST-Experiment');
    expect(lines).toContain(
      '    [PROCESS_VARIABLE];pv_string=TEST:Machine1:PowerOn;human_readable_name=Machine 1 - State;' +
        'experiment_short_id=TEST;available_for_mqtt_publish=False;default_threshold_min=20;default_threshold_max=50;' +
        'unit=;type=NUMBER;set_min=None;set_max=None',
    );
    expect(text.endsWith('\n\n')).toBe(true);
  });

  it("read the original's files: &SMKL&, HTML entities, None and True", () => {
    const original = [
      '#'.repeat(48),
      '#               rtpserver-export               #',
      '#'.repeat(48),
      '',
      '# This file contains importable experiment and process variable entries.',
      '# Do not change the format.',
      '',
      // Written by the original: stored HTML-escaped, then every ';' (of the entities too) as &SMKL&.
      '[EXPERIMENT];short_id=TEST;human_readable_name=Tom &amp&SMKL& Jerry&SMKL& &lt&SMKL&b&gt&SMKL&',
      '    [PROCESS_VARIABLE];pv_string=TEST:Fan;human_readable_name=None;experiment_short_id=TEST;available_for_mqtt_publish=True;default_threshold_min=20;default_threshold_max=None',
      '    [PROCESS_VARIABLE];pv_string=TEST:Valve;human_readable_name=a&SMKL&b &#39;c&#39;;experiment_short_id=TEST;available_for_mqtt_publish=False;default_threshold_min=None;default_threshold_max=None',
      '',
    ].join('\r\n');
    const read = readRtpdb(original);
    expect(read.experiments).toEqual([{ name: 'TEST', displayName: 'Tom & Jerry; <b>', line: 8 }]);
    expect(read.pvs).toEqual([
      {
        name: 'TEST:Fan',
        displayName: null,
        writable: true,
        thresholdMin: 20,
        thresholdMax: null,
        line: 9,
      },
      {
        name: 'TEST:Valve',
        displayName: "a;b 'c'",
        writable: false,
        thresholdMin: null,
        thresholdMax: null,
        line: 10,
      },
    ]);
  });

  it.each([
    ['[EXPERIMENT];short_id=A\n[WHAT];x=1', 2, 'expected [EXPERIMENT]'],
    ['\n\n[PROCESS_VARIABLE];human_readable_name=x', 3, 'needs pv_string'],
    ['[PROCESS_VARIABLE];pv_string=A:b;default_threshold_min=ten', 1, 'default_threshold_min=ten is not a number'],
    ['[PROCESS_VARIABLE];pv_string=A:b;available_for_mqtt_publish=maybe', 1, 'must be True or False'],
    ['[PROCESS_VARIABLE];pv_string=A:b;colour=red', 1, 'unknown key colour'],
    ['[PROCESS_VARIABLE];pv_string=A:b;experiment_short_id=B', 1, 'belongs to experiment A'],
    ['[EXPERIMENT];short_id=A;short_id=B', 1, 'short_id is given twice'],
    ['[EXPERIMENT];short_id', 1, 'is not key=value'],
    [`${RTPDB_FORMAT_LINE}\n[EXPERIMENT];short_id=A;human_readable_name=50%`, 2, 'is not an escape'],
    ['# format: plantgraph-rtpdb 9', 1, 'unknown format'],
  ])('name the line of an error: %j', (text, line, message) => {
    let error: unknown;
    try {
      readRtpdb(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigFileError);
    expect((error as ConfigFileError).line).toBe(line);
    expect((error as ConfigFileError).message).toContain(`line ${line}: `);
    expect((error as ConfigFileError).message).toContain(message);
  });
});
