// Flat config. Not type-aware on purpose: `npm run typecheck` (tsc) does the type work, this stays fast.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The few globals the plain-JS files use (config files, benchmarks), without a `globals` dependency.
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'Buffer',
    'URL',
    'URLSearchParams',
    'AbortController',
    'fetch',
    'performance',
    'structuredClone',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'clearImmediate',
    'queueMicrotask',
  ].map((name) => [name, 'readonly']),
);
const browserGlobals = Object.fromEntries(
  [
    'window',
    'document',
    'location',
    'navigator',
    'WebSocket',
    'EventSource',
    'HTMLElement',
    'requestAnimationFrame',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.data/', 'web/src/gql/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    // typescript-eslint's base config sets sourceType 'module' for every file.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read GraphQL responses whose shape each assertion states; typing every one adds nothing.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/dashboard/**/*.js'],
    languageOptions: { globals: { ...nodeGlobals, ...browserGlobals } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // The service logs through pino; only the simulator CLI and benchmarks print to the console.
    files: ['src/**'],
    ignores: ['src/simulator/**'],
    rules: { 'no-console': 'error' },
  },
  {
    // TypeORM's own typings (MixedList<Function | string | EntitySchema>) name `Function`: entity and migration lists.
    files: ['src/shared/database/**', 'src/orm-entities.ts', 'src/**/*.orm-entities.ts', 'migrations/index.ts'],
    rules: { '@typescript-eslint/no-unsafe-function-type': 'off' },
  },
);
