import {
  boolean,
  checkFields,
  number,
  requireFields,
  text,
  throwIfProblems,
  withoutUndefined,
  type Rules,
} from '../../shared/validation/field-rules.js';

/**
 * A welding standard: the current and voltage band a reading must stay in while a shift
 * welds this element type (telemetry raises its alert flag outside the band).
 */
export interface ElementType extends ElementTypeFields {
  id: number;
  createdAt: Date;
}

export interface ElementTypeFields {
  name: string;
  /** Free text, e.g. the thickness range the standard applies to. */
  range: string;
  currentMin: number;
  currentMax: number;
  voltageMin: number;
  voltageMax: number;
  description: string;
  /** Inactive standards stay for the shifts that used them but are not offered any more. */
  active: boolean;
}

const RULES: Rules<ElementTypeFields> = {
  name: text(1, 100),
  range: text(0, 100),
  currentMin: number({ min: 0 }),
  currentMax: number({ min: 0 }),
  voltageMin: number({ min: 0 }),
  voltageMax: number({ min: 0 }),
  description: text(0, 2000),
  active: boolean,
};

const DEFAULTS = { range: '', description: '', active: true };
const REQUIRED = ['name', 'currentMin', 'currentMax', 'voltageMin', 'voltageMax'];

export function newElementType(input: { [K in keyof ElementTypeFields]?: unknown }): ElementTypeFields {
  throwIfProblems('element type', requireFields(input, REQUIRED));
  const fields = checkFields('element type', { ...DEFAULTS, ...withoutUndefined(input) }, RULES) as ElementTypeFields;
  assertBands(fields);
  return fields;
}

/** The changes to apply to `current`; the bands are checked as they will be after the change. */
export function elementTypeChanges(
  current: ElementTypeFields,
  input: { [K in keyof ElementTypeFields]?: unknown },
): Partial<ElementTypeFields> {
  const changes = checkFields('element type', input, RULES);
  assertBands({ ...current, ...changes });
  return changes;
}

function assertBands(fields: ElementTypeFields): void {
  const problems: Record<string, string> = {};
  if (fields.currentMin >= fields.currentMax)
    problems.currentMax = `must be greater than currentMin (${fields.currentMin})`;
  if (fields.voltageMin >= fields.voltageMax)
    problems.voltageMax = `must be greater than voltageMin (${fields.voltageMin})`;
  throwIfProblems('element type', problems);
}
