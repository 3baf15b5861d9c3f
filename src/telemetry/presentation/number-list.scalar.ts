import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * A whole list of numbers as one GraphQL value. graphql-js completes every item of a
 * `[Float]` list on its own (measured: ~50 ms for the 540,000 values of 100 series × 300
 * buckets × every axis quantity); a scalar is one value to it, written as one JSON array.
 * Output only: no argument takes it.
 */
export const NumberListScalar = new GraphQLScalarType<(number | null)[], (number | null)[]>({
  name: 'NumberList',
  description:
    'A list of numbers (or nulls), serialised as one JSON array, e.g. `[1.5, 2, null]`. Output only. Used by the compact history queries, whose columns are each one value.',
  serialize(value) {
    if (!Array.isArray(value)) throw new GraphQLError('NumberList: the value is not a list');
    return value as (number | null)[];
  },
  parseValue() {
    throw new GraphQLError('NumberList is an output type');
  },
  parseLiteral(ast) {
    throw new GraphQLError(`NumberList is an output type (got a ${ast.kind === Kind.LIST ? 'list' : ast.kind})`);
  },
});
