import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { changedCondition, renderMessage, type AlarmConditionData } from './alarm-conditions.js';

const BOARD: AlarmConditionData = {
  type: 'BOARD_OFFLINE',
  kind: 'BOARD',
  enabled: true,
  severity: 'MAJOR',
  parameters: { offlineAfterSeconds: 90 },
  messageTemplate: 'Board {source} offline',
};

function fieldsOf(work: () => unknown): Record<string, string> {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as InvalidInputError).details.fields as Record<string, string>;
  }
  throw new Error('expected InvalidInputError');
}

describe('changedCondition', () => {
  it('changes only what is given', () => {
    expect(
      changedCondition(BOARD, {
        enabled: false,
        severity: 'CRITICAL',
        parameters: [{ name: 'offlineAfterSeconds', value: 300 }],
        messageTemplate: '  {source} silent ({detail})  ',
      }),
    ).toEqual({
      ...BOARD,
      enabled: false,
      severity: 'CRITICAL',
      parameters: { offlineAfterSeconds: 300 },
      messageTemplate: '{source} silent ({detail})',
    });
    expect(changedCondition(BOARD, { enabled: null })).toEqual(BOARD);
  });

  it('refuses an unknown parameter, one out of range or not an integer, naming it', () => {
    expect(fieldsOf(() => changedCondition(BOARD, { parameters: [{ name: 'delay', value: 1 }] }))).toEqual({
      parameters: 'known: offlineAfterSeconds',
    });
    expect(
      fieldsOf(() => changedCondition(BOARD, { parameters: [{ name: 'offlineAfterSeconds', value: 30 }] })),
    ).toEqual({ 'parameters.offlineAfterSeconds': 'must be an integer from 90 to 86400' });
    expect(
      Object.keys(
        fieldsOf(() => changedCondition(BOARD, { parameters: [{ name: 'offlineAfterSeconds', value: 90.5 }] })),
      ),
    ).toEqual(['parameters.offlineAfterSeconds']);
  });

  it('refuses an unknown placeholder, an empty template and an unknown severity', () => {
    expect(Object.keys(fieldsOf(() => changedCondition(BOARD, { messageTemplate: '{source} {value}' })))).toEqual([
      'messageTemplate',
    ]);
    expect(Object.keys(fieldsOf(() => changedCondition(BOARD, { messageTemplate: '   ' })))).toEqual([
      'messageTemplate',
    ]);
    expect(Object.keys(fieldsOf(() => changedCondition(BOARD, { severity: 'FATAL' as unknown as 'MAJOR' })))).toEqual([
      'severity',
    ]);
  });
});

describe('renderMessage', () => {
  it('fills placeholders, rounds numbers and shows a missing value as –', () => {
    expect(renderMessage('{source}: {value} ({detail})', { source: 'W-1', value: 212.34567 })).toBe('W-1: 212.346 (–)');
  });
});
