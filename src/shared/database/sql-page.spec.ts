import { describe, expect, it } from '@jest/globals';
import { selectPage, sqlWhere, type Queryable } from './sql-page.js';

describe('sqlWhere', () => {
  it('numbers the placeholders of the conditions that apply, in order', () => {
    const filter = { ids: [1, 2], kind: '', state: 'DONE', from: undefined };
    expect(
      sqlWhere([
        filter.ids.length && ['id = ANY(?::int[])', filter.ids],
        filter.kind && ['kind = ?', filter.kind],
        filter.state && ['state = ?', filter.state],
        filter.from && ['at >= ?', filter.from],
      ]),
    ).toEqual({ where: 'WHERE id = ANY($1::int[]) AND state = $2', params: [[1, 2], 'DONE'] });
  });

  it('is empty when no condition applies', () => {
    expect(sqlWhere([undefined, null, false, 0, ''])).toEqual({ where: '', params: [] });
  });
});

describe('selectPage', () => {
  it('asks for the page after the filter parameters and for the count with the filter alone', async () => {
    const calls: Array<[string, unknown[] | undefined]> = [];
    const db: Queryable = {
      query: <T>(sql: string, params?: unknown[]) => {
        calls.push([sql.replace(/\s+/g, ' '), params]);
        return Promise.resolve((sql.includes('count(*)') ? [{ n: 7 }] : [{ id: 3 }, { id: 2 }]) as T);
      },
    };
    const page = await selectPage(
      db,
      { from: 'things', filter: sqlWhere([['kind = ?', 'a']]), orderBy: 'id DESC' },
      { offset: 5, limit: 2 },
      (row: { id: number }) => row.id,
    );
    expect(page).toEqual({ items: [3, 2], totalCount: 7, offset: 5, limit: 2 });
    expect(calls).toEqual([
      ['SELECT * FROM things WHERE kind = $1 ORDER BY id DESC OFFSET $2 LIMIT $3', ['a', 5, 2]],
      ['SELECT count(*)::int AS n FROM things WHERE kind = $1', ['a']],
    ]);
  });
});
