import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { startTestApp, type TestApp } from '../harness/app.js';

/**
 * schema.gql is generated from the code-first schema and committed, so that API changes
 * show up in review. `npm run schema:generate` rewrites it; this test fails when it is stale.
 */
describe('schema.gql', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('matches the schema the service serves', () => {
    const printed = `${printSchema(lexicographicSortSchema(t.app.get(GraphQLSchemaHost).schema))}\n`;
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync('schema.gql', printed);
    const committed = readFileSync('schema.gql', 'utf8');
    expect(committed).toBe(printed);
  });
});
