import { arrayElement } from '../../shared/database/pg-array-literal.js';

/** A PostgreSQL array literal, for `unnest($1::int[], …)` statements that write many rows at once. */
export function pgArray(values: readonly unknown[]): string {
  return `{${values.map(arrayElement).join(',')}}`;
}
