import { InvalidInputError } from '../errors/domain-errors.js';

/**
 * Field-by-field checks of registry input, so that one answer names every offending field
 * (GraphQL inputs are checked at the edge too, but other contexts call the service directly).
 */
export type Outcome<T> = { value: T } | { problem: string };
export type Rule<T> = (value: unknown) => Outcome<T>;
export type Rules<T> = { [K in keyof T]-?: Rule<T[K]> };

/** PostgreSQL `integer`. */
const MAX_INT = 2_147_483_647;

export function text(min: number, max: number): Rule<string> {
  return (value) => {
    if (typeof value !== 'string') return { problem: 'must be a string' };
    const trimmed = value.trim();
    return trimmed.length >= min && trimmed.length <= max
      ? { value: trimmed }
      : { problem: min ? `must be ${min} to ${max} characters` : `must be at most ${max} characters` };
  };
}

export function pattern(regex: RegExp, description: string): Rule<string> {
  return (value) => (typeof value === 'string' && regex.test(value) ? { value } : { problem: description });
}

export function number(options: { min?: number; above?: number } = {}): Rule<number> {
  return (value) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) return { problem: 'must be a finite number' };
    if (options.min !== undefined && value < options.min) return { problem: `must be at least ${options.min}` };
    if (options.above !== undefined && value <= options.above)
      return { problem: `must be greater than ${options.above}` };
    return { value };
  };
}

export function integer(min: number): Rule<number> {
  return (value) =>
    Number.isInteger(value) && (value as number) >= min && (value as number) <= MAX_INT
      ? { value: value as number }
      : { problem: `must be an integer from ${min} to ${MAX_INT}` };
}

export const boolean: Rule<boolean> = (value) =>
  typeof value === 'boolean' ? { value } : { problem: 'must be true or false' };

export function oneOf<T extends string>(values: readonly T[]): Rule<T> {
  return (value) =>
    (values as readonly unknown[]).includes(value)
      ? { value: value as T }
      : { problem: `must be one of ${values.join(', ')}` };
}

export function nullable<T>(rule: Rule<T>): Rule<T | null> {
  return (value) => (value === null ? { value: null } : rule(value));
}

/** A calendar date written YYYY-MM-DD that exists (no 2024-02-30). */
export const calendarDate: Rule<string> = (value) => {
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (match) {
    const date = new Date(Date.UTC(+match[1], +match[2] - 1, +match[3]));
    if (date.toISOString().slice(0, 10) === value) return { value: value as string };
  }
  return { problem: 'must be a calendar date written YYYY-MM-DD' };
};

/**
 * Applies `rules` to the fields present in `input` (undefined means "not given"); returns
 * the normalised fields or the problems keyed by `prefix` + field name.
 */
export function applyRules<T>(
  input: { [K in keyof T]?: unknown },
  rules: Rules<T>,
  prefix = '',
): { fields: Partial<T>; problems: Record<string, string> } {
  const fields: Partial<T> = {};
  const problems: Record<string, string> = {};
  for (const key of Object.keys(rules) as (keyof T & string)[]) {
    if (input[key] === undefined) continue;
    const outcome = rules[key](input[key]);
    if ('problem' in outcome) problems[`${prefix}${key}`] = outcome.problem;
    else fields[key] = outcome.value;
  }
  return { fields, problems };
}

export function throwIfProblems(what: string, problems: Record<string, string>): void {
  const names = Object.keys(problems);
  if (names.length) throw new InvalidInputError(`Invalid ${what}: ${names.join(', ')}`, problems);
}

/** Applies the rules and throws one InvalidInputError naming every offending field. */
export function checkFields<T>(what: string, input: { [K in keyof T]?: unknown }, rules: Rules<T>): Partial<T> {
  const { fields, problems } = applyRules(input, rules);
  throwIfProblems(what, problems);
  return fields;
}

export function requireFields(input: object, names: string[], prefix = ''): Record<string, string> {
  const values = input as Record<string, unknown>;
  return Object.fromEntries(names.filter((n) => values[n] === undefined).map((n) => [`${prefix}${n}`, 'is required']));
}

/** Absent and undefined are the same to a caller; defaults must not be overwritten by undefined. */
export function withoutUndefined<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
