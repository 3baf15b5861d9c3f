import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { checkSensorName, decodeSensorTag, SEEDED_FIELDS, sensorNameProblem } from './field-tags.js';

describe('sensor tags', () => {
  it('Trestakk: the second digit is the sensor on 2A, or sensor digit − 4 on 3B (the reference mocks)', () => {
    expect(decodeSensorTag('TRESTAKK', '19XT2116')).toEqual({
      decodable: true,
      templateNumber: 2,
      templateSuffix: 'A',
      templateName: '2A',
      sensorNumber: 1,
    });
    expect(decodeSensorTag('TRESTAKK', '19XT2316')).toMatchObject({ templateName: '2A', sensorNumber: 3 });
    expect(decodeSensorTag('TRESTAKK', '19XT2616')).toMatchObject({ templateName: '3B', sensorNumber: 2 });
    expect(decodeSensorTag('TRESTAKK', '19XT2416')).toMatchObject({ templateName: '2A', sensorNumber: 4 });
    expect(decodeSensorTag('TRESTAKK', '19XT2516')).toMatchObject({ templateName: '3B', sensorNumber: 1 });
    expect(decodeSensorTag('TRESTAKK', '19XT2816')).toMatchObject({ templateName: '3B', sensorNumber: 4 });
  });

  it('Snorre: the first digit is the template and its suffix, the second the sensor', () => {
    expect(decodeSensorTag('SNORRE', '19H-QI___5472')).toEqual({
      decodable: true,
      templateNumber: 5,
      templateSuffix: 'W',
      templateName: '5W',
      sensorNumber: 4,
    });
    const names = ['2172', '3272', '4372', '5172', '6472', '7272'].map((digits) => {
      const decoded = decodeSensorTag('SNORRE', `19H-QI___${digits}`);
      return decoded.decodable ? `${decoded.templateName}/${decoded.sensorNumber}` : decoded.reason;
    });
    expect(names).toEqual(['2M/1', '3N/2', '4V/3', '5W/1', '6X/4', '7Z/2']);
  });

  it('a name off the rule is not decodable, with the reason, and never throws', () => {
    for (const [format, tag] of [
      ['TRESTAKK', '19XT211'],
      ['TRESTAKK', '19XT2016'],
      ['TRESTAKK', '19XT2916'],
      ['TRESTAKK', '19H-QI___5472'],
      ['TRESTAKK', ''],
      ['SNORRE', '19H-QI___8472'],
      ['SNORRE', '19H-QI___5072'],
      ['SNORRE', '19H-QI__5472'],
      ['SNORRE', '19H-QI___54720'],
    ] as const) {
      expect(decodeSensorTag(format, tag)).toMatchObject({ decodable: false, reason: 'NOT_A_TAG' });
    }
  });

  it('Troll and Askeladd have no rule: any tag is not decodable, for that reason', () => {
    const fields = SEEDED_FIELDS.filter((field) => field.tagFormat === 'NONE').map((field) => field.name);
    expect(fields.sort()).toEqual(['Askeladd', 'Troll']);
    expect(decodeSensorTag('NONE', '18AIJ012A')).toEqual({
      decodable: false,
      reason: 'NO_RULE',
      message: 'No tag rule is known for this field',
    });
  });

  it('validates a sensor name against its field, naming the field in the error', () => {
    expect(sensorNameProblem('TRESTAKK', '19XT2116')).toBeNull();
    expect(sensorNameProblem('SNORRE', '19H-QI___5472')).toBeNull();
    expect(sensorNameProblem('NONE', '18AIJ012A')).toBeNull();
    expect(sensorNameProblem('NONE', ' 18AIJ012A')).not.toBeNull();
    expect(sensorNameProblem('NONE', '')).not.toBeNull();
    expect(sensorNameProblem('NONE', 'x'.repeat(65))).not.toBeNull();
    expect(() => checkSensorName('TRESTAKK', '19XT2116')).not.toThrow();
    try {
      checkSensorName('SNORRE', '19XT2116', 'input.name');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).details).toEqual({
        fields: { 'input.name': expect.stringContaining('19H-QI___5472') },
      });
    }
  });
});
