/**
 * One element of a PostgreSQL array literal (`{1,"a b",NULL}`), as text.
 *
 * Why not let `pg` serialise JavaScript arrays: building the literal here is ~15% faster
 * on the hot path (Dates go out as UTC ISO strings instead of through pg's local-time
 * formatting), and it runs in `write()`, so a value that cannot be sent fails that one
 * caller instead of the whole batch. Scalars only: an array element cannot itself be a
 * row or a nested array (use json/jsonb for structured values).
 */
export function arrayElement(value: unknown): string {
  switch (typeof value) {
    case 'number':
      // NaN, Infinity and -Infinity print as PostgreSQL spells them for float columns.
      return String(value);
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'string':
      return quote(value);
    case 'undefined':
      return 'NULL';
    case 'object':
      if (value === null) return 'NULL';
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new TypeError('Invalid Date');
        return value.toISOString();
      }
      if (value instanceof Uint8Array) return quote(`\\x${Buffer.from(value).toString('hex')}`);
      return quote(JSON.stringify(value));
    default:
      throw new TypeError(`A ${typeof value} cannot be stored in a column`);
  }
}

/** Always quoted, so that text such as `NULL`, `a,b` or `{x}` stays text. */
function quote(text: string): string {
  return `"${/["\\]/.test(text) ? text.replace(/["\\]/g, '\\$&') : text}"`;
}

/** A whole PostgreSQL array literal, for `unnest($1::int[], …)` statements over many rows at once. */
export function pgArray(values: readonly unknown[]): string {
  return `{${values.map(arrayElement).join(',')}}`;
}
