import { InvalidInputError } from '../../shared/errors/domain-errors.js';

/**
 * Sensor tags per field. A sensor's name is its instrument tag, and on two fields the tag says
 * which template the sensor sits on and its number there (reference C.1):
 *
 * - Trestakk, `19XT` + four digits (19XT2116, 19XT2316, 19XT2616). The second digit numbers the
 *   sensor: 1–4 on template 2 "A", 5–8 on template 3 "B" as sensor digit − 4. (The original
 *   read 0 and 9 too, as sensor 0 of 2A and sensor 5 of 3B; no tag of the field has them, so
 *   here they do not decode.)
 * - Snorre, `19H-QI___` + four digits (19H-QI___5472): the first digit is the template number
 *   and gives its suffix (2 M, 3 N, 4 V, 5 W, 6 X, 7 Z), the second the sensor number.
 * - Troll and Askeladd: no rule is known (the original has none); their sensors take any name
 *   and decoding says "not decodable" instead of failing.
 */
export type TagFormat = 'TRESTAKK' | 'SNORRE' | 'NONE';

export interface FieldTagFormat {
  format: TagFormat;
  /** What every tag of the field starts with (null: not known). */
  prefix: string | null;
  /** A tag of the field, for messages and forms. */
  example: string | null;
}

export const TAG_FORMATS: Readonly<Record<TagFormat, FieldTagFormat>> = {
  TRESTAKK: { format: 'TRESTAKK', prefix: '19XT', example: '19XT2116' },
  SNORRE: { format: 'SNORRE', prefix: '19H-QI___', example: '19H-QI___5472' },
  NONE: { format: 'NONE', prefix: null, example: null },
};

/** The fields to seed, with their tag formats (the reference's enum). */
export const SEEDED_FIELDS: ReadonlyArray<{ name: string; tagFormat: TagFormat }> = [
  { name: 'Trestakk', tagFormat: 'TRESTAKK' },
  { name: 'Snorre', tagFormat: 'SNORRE' },
  { name: 'Askeladd', tagFormat: 'NONE' },
  { name: 'Troll', tagFormat: 'NONE' },
];

export interface DecodedTag {
  decodable: true;
  templateNumber: number;
  templateSuffix: string;
  /** "2A", "5W": how the field names the template. */
  templateName: string;
  sensorNumber: number;
}

export interface UndecodableTag {
  decodable: false;
  /** NO_RULE: the field has no known tag rule; NOT_A_TAG: the name does not follow the field's rule. */
  reason: 'NO_RULE' | 'NOT_A_TAG';
  message: string;
}

export type TagDecoding = DecodedTag | UndecodableTag;

const SNORRE_TEMPLATE_SUFFIXES: Readonly<Record<number, string>> = { 2: 'M', 3: 'N', 4: 'V', 5: 'W', 6: 'X', 7: 'Z' };

/** The template and sensor a tag names, or why it names none. Never throws. */
export function decodeSensorTag(format: TagFormat, tag: string): TagDecoding {
  const { prefix, example } = TAG_FORMATS[format];
  if (prefix === null) {
    return { decodable: false, reason: 'NO_RULE', message: 'No tag rule is known for this field' };
  }
  const digits = tag.startsWith(prefix) ? tag.slice(prefix.length) : '';
  const decoded = /^\d{4}$/.test(digits) ? decodeDigits(format, Number(digits[0]), Number(digits[1])) : null;
  if (decoded) return decoded;
  return {
    decodable: false,
    reason: 'NOT_A_TAG',
    message: `must be a tag like ${example}: ${prefix} and four digits${format === 'SNORRE' ? ' (template 2–7, sensor 1–9)' : ' (sensor digit 1–8)'}`,
  };
}

function decodeDigits(format: TagFormat, first: number, second: number): DecodedTag | null {
  if (format === 'TRESTAKK') {
    if (second >= 1 && second <= 4) return decoded(2, 'A', second);
    if (second >= 5 && second <= 8) return decoded(3, 'B', second - 4);
    return null;
  }
  const suffix = SNORRE_TEMPLATE_SUFFIXES[first];
  return suffix && second >= 1 ? decoded(first, suffix, second) : null;
}

function decoded(templateNumber: number, templateSuffix: string, sensorNumber: number): DecodedTag {
  return {
    decodable: true,
    templateNumber,
    templateSuffix,
    templateName: `${templateNumber}${templateSuffix}`,
    sensorNumber,
  };
}

/** The longest sensor name accepted on a field without a tag rule. */
export const MAX_SENSOR_NAME_LENGTH = 64;

/**
 * Why `name` cannot name a sensor of a field with this tag format, or null when it can. On a
 * field with a rule the name must decode; on one without, it must be 1–64 visible characters
 * without surrounding spaces.
 */
export function sensorNameProblem(format: TagFormat, name: string): string | null {
  if (TAG_FORMATS[format].prefix !== null) {
    const decoding = decodeSensorTag(format, name);
    return decoding.decodable ? null : decoding.message;
  }
  if (name.length === 0 || name.length > MAX_SENSOR_NAME_LENGTH) {
    return `must be 1–${MAX_SENSOR_NAME_LENGTH} characters`;
  }
  if (name.trim() !== name || /[\p{Cc}]/u.test(name))
    return 'must not start or end with spaces nor hold control characters';
  return null;
}

/** Throws InvalidInputError naming the `name` field when the name does not fit the field's tag format. */
export function checkSensorName(format: TagFormat, name: string, field = 'name'): void {
  const problem = sensorNameProblem(format, name);
  if (problem !== null)
    throw new InvalidInputError(`Invalid sensor name ${JSON.stringify(name)}: ${problem}`, { [field]: problem });
}
