import type { PageResult } from '../graphql/pagination.js';

/** Anything that runs SQL with numbered parameters: a DataSource, an EntityManager, a transaction's manager. */
export interface Queryable {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

/** A `WHERE …` clause (or '') and its parameters, numbered $1 … in order. */
export interface SqlWhere {
  where: string;
  params: unknown[];
}

/** A clause with one `?` and its value, or a falsy value (`filter.x && [...]`) when the filter does not ask for it. */
export type SqlCondition = readonly [string, unknown] | false | null | undefined | 0 | '';

/** `WHERE a AND b …` from the conditions that apply, each `?` numbered in order. */
export function sqlWhere(parts: readonly SqlCondition[]): SqlWhere {
  const params: unknown[] = [];
  const clauses = parts
    .filter((part): part is readonly [string, unknown] => !!part)
    .map(([clause, value]) => {
      params.push(value);
      return clause.replace('?', `$${params.length}`);
    });
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/**
 * One page of a paged list and the count of every row that matches: the two queries of every
 * `items`/`totalCount` page, run at once. `from` and `orderBy` are the repository's own SQL,
 * never a client's; the filter's values travel as parameters.
 */
export async function selectPage<Row, Item>(
  db: Queryable,
  query: { from: string; filter: SqlWhere; orderBy: string; columns?: string },
  page: { offset: number; limit: number },
  toItem: (row: Row) => Item,
): Promise<PageResult<Item>> {
  const { where, params } = query.filter;
  const [rows, [{ n }]] = await Promise.all([
    db.query<Row[]>(
      `SELECT ${query.columns ?? '*'} FROM ${query.from} ${where} ORDER BY ${query.orderBy}
       OFFSET $${params.length + 1} LIMIT $${params.length + 2}`,
      [...params, page.offset, page.limit],
    ),
    db.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ${query.from} ${where}`, params),
  ]);
  return { items: rows.map(toItem), totalCount: n, offset: page.offset, limit: page.limit };
}
