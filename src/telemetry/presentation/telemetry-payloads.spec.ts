import { describe, expect, it } from '@jest/globals';
import { MalformedMessageError } from '../../shared/mqtt/inbound-message.js';
import { parseAxes, parseElectrical, parseTool } from './telemetry-payloads.js';

const receivedAt = new Date('2026-11-21T08:30:00.000Z');
const payload = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

function refusal(run: () => unknown): { reason: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof MalformedMessageError) return { reason: error.reason, message: error.message };
    throw error;
  }
  throw new Error('expected the payload to be refused');
}

describe('parseElectrical', () => {
  it('reads one object, with ts as epoch milliseconds, ISO-8601 or missing (the receive time)', () => {
    expect(parseElectrical(payload({ ts: 1795249800000, current: 120.5, voltage: 23 }), receivedAt)).toEqual([
      { ts: new Date(1795249800000), current: 120.5, voltage: 23 },
    ]);
    expect(
      parseElectrical(payload({ ts: '2026-11-21T09:30:00.250+01:00', current: 1, voltage: 2 }), receivedAt)[0].ts,
    ).toEqual(new Date('2026-11-21T08:30:00.250Z'));
    expect(parseElectrical(payload({ current: 1, voltage: 2, extra: 'ignored' }), receivedAt)).toEqual([
      { ts: receivedAt, current: 1, voltage: 2 },
    ]);
  });

  it('reads an array as a batch', () => {
    const batch = [1, 2, 3].map((i) => ({ ts: receivedAt.getTime() - i, current: i, voltage: i }));
    expect(parseElectrical(payload(batch), receivedAt).map((r) => r.current)).toEqual([1, 2, 3]);
  });

  it('refuses what is not JSON', () => {
    expect(refusal(() => parseElectrical(payload('{"current": 1,'), receivedAt)).reason).toBe('invalid_json');
  });

  it.each([
    [{ current: '1', voltage: 2 }, 'current: must be a finite number'],
    [{ current: 1 }, 'voltage: must be a finite number'],
    ['{"current": 1e999, "voltage": 1}', 'current: must be a finite number'],
    [
      [
        { current: 1, voltage: 1 },
        { current: 1, voltage: null },
      ],
      '[1].voltage: must be a finite number',
    ],
    [[{ current: 1, voltage: 1 }, 7], '[1]: must be an object'],
    [42, 'payload: must be an object or an array'],
    [{ ts: '2026-11-21 08:30:00', current: 1, voltage: 1 }, 'ts: must be an ISO-8601 time'],
    [{ ts: '2026-11-21T08:30:00', current: 1, voltage: 1 }, 'ts: must be an ISO-8601 time'],
    [{ ts: '2026-02-30T08:30:00Z', current: 1, voltage: 1 }, 'ts: is not a valid time'],
    [{ ts: 1795249800, current: 1, voltage: 1 }, 'ts: is before 2000'],
    [{ ts: receivedAt.getTime() + 25 * 3_600_000, current: 1, voltage: 1 }, 'ts: is more than 24 h ahead'],
    [{ ts: true, current: 1, voltage: 1 }, 'ts: must be an ISO-8601 time'],
  ])('refuses %j naming the field', (value, message) => {
    const { reason, message: actual } = refusal(() => parseElectrical(payload(value), receivedAt));
    expect(reason).toBe('invalid_field');
    expect(actual).toContain(message);
  });
});

describe('parseAxes', () => {
  const axis = { actual: 1, target: 4, velocity: 2, acceleration: 0.5, homed: true };

  it('reads any subset of the axes, in X Y Z A C order, ignoring other keys', () => {
    expect(parseAxes(payload({ ts: receivedAt.getTime(), axes: { C: axis, X: axis, B: axis } }), receivedAt)).toEqual([
      {
        ts: receivedAt,
        axes: [
          ['X', axis],
          ['C', axis],
        ],
      },
    ]);
  });

  it.each([
    [{ axes: [] }, 'axes: must be an object keyed by axis'],
    [{ axes: { Q: axis } }, 'axes: must hold at least one of X, Y, Z, A, C'],
    [{ axes: { X: { ...axis, velocity: '2' } } }, 'axes.X.velocity: must be a finite number'],
    [{ axes: { Y: { ...axis, homed: 1 } } }, 'axes.Y.homed: must be true or false'],
    [[{ axes: { X: axis } }, { axes: { Z: 3 } }], '[1].axes.Z: must be an object'],
  ])('refuses %j naming the field', (value, message) => {
    expect(refusal(() => parseAxes(payload(value), receivedAt)).message).toContain(message);
  });
});

describe('parseTool', () => {
  it('reads any of toolInUse, toolOffset and feedrate; the rest are null', () => {
    expect(parseTool(payload({ feedrate: 800 }), receivedAt)).toEqual([
      { ts: receivedAt, toolInUse: null, toolOffset: null, feedRate: 800 },
    ]);
    expect(parseTool(payload({ toolInUse: 0, toolOffset: -1.5 }), receivedAt)[0]).toMatchObject({
      toolInUse: 0,
      toolOffset: -1.5,
    });
  });

  it.each([
    [{ ts: receivedAt.getTime() }, 'toolInUse: at least one of toolInUse, toolOffset, feedrate is required'],
    [{ toolInUse: 1.5 }, 'toolInUse: must be a whole number'],
    [{ toolInUse: -1 }, 'toolInUse: must be a whole number'],
    [{ toolInUse: 3_000_000_000 }, 'toolInUse: must be a whole number'],
    [{ feedrate: 'fast' }, 'feedrate: must be a finite number'],
  ])('refuses %j naming the field', (value, message) => {
    expect(refusal(() => parseTool(payload(value), receivedAt)).message).toContain(message);
  });
});
