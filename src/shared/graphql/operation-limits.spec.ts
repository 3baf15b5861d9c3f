import { describe, expect, it } from '@jest/globals';
import {
  buildSchema,
  getOperationAST,
  GraphQLError,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { costOf, limitRules, parseOperation } from './operation-limits.js';
import { PAGE_EXTENSION } from './pagination.js';

const LIMITS = { maxTokens: 1000, maxDepth: 6, maxAliases: 3, maxComplexity: 100 };

const Item = new GraphQLObjectType({
  name: 'Item',
  fields: { id: { type: GraphQLInt }, name: { type: GraphQLString } },
});
const ItemPage = new GraphQLObjectType({
  name: 'ItemPage',
  extensions: { [PAGE_EXTENSION]: true },
  fields: { items: { type: new GraphQLList(new GraphQLNonNull(Item)) }, totalCount: { type: GraphQLInt } },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      items: { type: ItemPage, args: { limit: { type: GraphQLInt, defaultValue: 5 } } },
      item: { type: Item },
    },
  }),
});

const problems = (source: string) =>
  validate(schema, parse(source), [...specifiedRules, ...limitRules(LIMITS)]).map((e) => e.extensions);
const cost = (source: string, variables: Record<string, unknown> = {}) => {
  const document = parse(source);
  const result = costOf(LIMITS, schema, document, getOperationAST(document)!, variables);
  return result instanceof GraphQLError ? result.extensions : result;
};

describe('operation limits', () => {
  it('costs a page its selection times its limit, the default limit when none is given', () => {
    expect(cost('{ items(limit: 10) { items { id name } } }')).toBe(1 + 10 * 3);
    expect(cost('query($n: Int) { items(limit: $n) { items { id } } }', { n: 20 })).toBe(1 + 20 * 2);
    expect(cost('{ items { totalCount } }')).toBe(1 + 5 * 1);
    // Over the page size the field itself refuses the limit, naming it: costed as a full page.
    expect(cost('{ items(limit: 100000) { totalCount } }')).toEqual(
      expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', complexity: 1 + 500 * 1 }),
    );
    expect(cost('{ items(limit: 50) { items { id name } } }')).toEqual(
      expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', complexity: 151, maxComplexity: 100 }),
    );
  });

  it('costs the operation asked for, not the others of the document', () => {
    const document = parse('query Cheap { item { id } } query Dear { items(limit: 50) { items { id } } }');
    expect(costOf(LIMITS, schema, document, getOperationAST(document, 'Cheap')!, {})).toBe(2);
  });

  it('counts aliases inside fragments every time a fragment is spread', () => {
    expect(problems('{ ...F ...F } fragment F on Query { a: item { id } }')).toEqual([]);
    expect(problems('{ ...F ...F } fragment F on Query { a: item { id } b: item { name } }')).toEqual([
      { code: 'QUERY_TOO_COMPLEX', aliases: 4, maxAliases: 3, http: expect.anything() },
    ]);
  });

  it('refuses fragments spread into more fields than the complexity limit, without expanding them', () => {
    const fragments = Array.from({ length: 40 }, (_, i) => `fragment F${i + 1} on Query { ...F${i} ...F${i} }`);
    const bomb = `{ ...F40 } fragment F0 on Query { item { id } } ${fragments.join(' ')}`;
    const started = performance.now();
    expect(problems(bomb)).toEqual([expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', maxComplexity: 100 })]);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('stops parsing at the token limit', () => {
    const error = parseOperation(LIMITS, `{ ${'item { id } '.repeat(300)} }`);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).message).toMatch(/more tha[nt] 1000 tokens/);
    expect(parseOperation(LIMITS, '{ item { id } }')).not.toBeInstanceOf(GraphQLError);
  });

  it('refuses operations deeper than the limit, naming it', () => {
    const deep = buildSchema('type Query { node: Node } type Node { next: Node, id: Int }');
    const document = parse('{ node { next { next { next { next { next { next { id } } } } } } } }');
    expect(validate(deep, document, limitRules(LIMITS)).map((e) => e.extensions.code)).toEqual(['QUERY_TOO_COMPLEX']);
  });
});
