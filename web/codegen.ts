import { fileURLToPath } from 'node:url';
import type { CodegenConfig } from '@graphql-codegen/cli';

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

/**
 * Types for every operation of the page, from the service's schema (schema.gql, generated from
 * the code). Run by `npm run web:codegen` before the type check and the build, so a schema
 * change that breaks an operation of the page breaks `npm run typecheck`.
 */
const config: CodegenConfig = {
  schema: here('../schema.gql'),
  documents: [here('src/**/*.{ts,tsx}'), `!${here('src/gql/**')}`],
  ignoreNoDocuments: false,
  generates: {
    [here('src/gql') + '/']: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        // Plain strings: the page sends them as they are, with no GraphQL parser in the bundle.
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        scalars: { DateTime: 'string', NumberList: 'number[]' },
      },
    },
  },
};

export default config;
