import { InvalidInputError } from '../../shared/errors/domain-errors.js';

/** A welder (or any operator of a machine). Operators with shifts are deactivated, not deleted. */
export interface Operator extends OperatorFields {
  id: number;
  createdAt: Date;
}

export interface OperatorFields {
  name: string;
  /** The welder number: unique. */
  number: number;
  qualification: string;
  /** The plate thickness the welder is qualified for (mm). */
  qualifiedThickness: number | null;
  /** Calendar date YYYY-MM-DD. */
  dateOfJoining: string | null;
  active: boolean;
}

/** One operator on one machine for a time window, welding one element type (the standard). */
export interface Shift extends ShiftFields {
  id: number;
  operator: Operator;
  createdAt: Date;
}

export interface ShiftFields {
  machineId: number;
  operatorId: number;
  elementTypeId: number;
  startsAt: Date;
  endsAt: Date;
  plateThickness: string;
  plateDescription: string;
  remarks: string;
  iNo: string;
  fcNo: string;
  project: string;
}

export interface Instruction {
  id: number;
  text: string;
  createdAt: Date;
}

export const OPERATOR_DEFAULTS = { qualification: '', qualifiedThickness: null, dateOfJoining: null, active: true };
export const SHIFT_DEFAULTS = { plateThickness: '', plateDescription: '', remarks: '', iNo: '', fcNo: '', project: '' };

/** Checks the fields of an operator as they will be stored. */
export function checkOperator(fields: OperatorFields): OperatorFields {
  const problems: Record<string, string> = {};
  const name = fields.name.trim();
  if (!name || name.length > 200) problems.name = 'must be 1 to 200 characters';
  if (!Number.isInteger(fields.number) || fields.number < 1) problems.number = 'must be a positive whole number';
  if (fields.qualifiedThickness !== null && !(fields.qualifiedThickness >= 0))
    problems.qualifiedThickness = 'must be zero or more';
  if (fields.dateOfJoining !== null && !isCalendarDate(fields.dateOfJoining))
    problems.dateOfJoining = 'must be a calendar date YYYY-MM-DD';
  if (Object.keys(problems).length) throw new InvalidInputError('Invalid operator', problems);
  return { ...fields, name, qualification: fields.qualification.trim() };
}

/** A shift ends after it starts; the database refuses overlaps of one machine. */
export function checkShiftTimes(startsAt: Date, endsAt: Date): void {
  if (endsAt.getTime() <= startsAt.getTime())
    throw new InvalidInputError('A shift must end after it starts', {
      endsAt: `must be after startsAt (${startsAt.toISOString()})`,
    });
}

export function checkInstructionText(text: string): string {
  const trimmed = text.trim();
  if (!trimmed || trimmed.length > 2000)
    throw new InvalidInputError('Invalid instruction', { text: 'must be 1 to 2000 characters' });
  return trimmed;
}

export function shiftDurationSeconds(shift: Pick<ShiftFields, 'startsAt' | 'endsAt'>): number {
  return (shift.endsAt.getTime() - shift.startsAt.getTime()) / 1000;
}

/** The shift among `shifts` (of one machine) whose [startsAt, endsAt) contains `ts`. */
export function shiftAt<T extends Pick<ShiftFields, 'startsAt' | 'endsAt'>>(shifts: readonly T[], ts: Date): T | null {
  const t = ts.getTime();
  return shifts.find((s) => s.startsAt.getTime() <= t && t < s.endsAt.getTime()) ?? null;
}

function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return !!match && new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])).toISOString().slice(0, 10) === value;
}
