import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

/**
 * STYLE.md rule 4 as a check: file names are kebab-case with one suffix per role, so that a
 * file's role shows in its name. An injectable carries the suffix of its role (.service for a
 * use case or other injectable service, .repository for a repository, .adapter for another
 * port implementation…), and adapters are named by role, not by the library they use (no
 * typeorm-/sql-/pg- prefixes).
 */
const SRC = path.dirname(fileURLToPath(import.meta.url));

/** The suffix of each role a file may play; the suffix is the part after the first dot. */
const ROLES = {
  module: 'a Nest module',
  service: 'an injectable: a use case, or another service',
  resolver: 'GraphQL resolvers',
  'mqtt-handler': 'an MQTT route handler',
  controller: 'HTTP routes',
  guard: 'a Nest guard',
  middleware: 'an HTTP middleware',
  plugin: 'an Apollo plugin',
  scalar: 'a GraphQL scalar',
  model: 'GraphQL object types',
  models: 'GraphQL object types',
  input: 'GraphQL inputs',
  inputs: 'GraphQL inputs',
  args: 'GraphQL arguments',
  port: 'a port (abstract class)',
  ports: 'ports (abstract classes)',
  repository: 'a repository (a port implementation over a database)',
  repositories: 'repositories',
  adapter: 'another port implementation (hashing, throttling, transactions)',
  factory: 'an injectable that creates other objects',
  'orm-entity': 'a TypeORM entity',
  'orm-entities': 'TypeORM entities',
  'sample-kinds': "a context's sample-kind declarations (shared/ingestion)",
  tables: 'sample-table declarations (shared/ingestion)',
  publisher: 'an injectable that publishes on a schedule',
  fixture: 'test data shipped with the code',
  tasks: 'functions the worker pool runs in its threads (shared/jobs), reading what they need themselves',
  spec: 'a unit test',
} as const;
const INJECTABLE_ROLES = [
  'module',
  'service',
  'resolver',
  'mqtt-handler',
  'controller',
  'guard',
  'middleware',
  'plugin',
  'repository',
  'repositories',
  'adapter',
  'factory',
  'sample-kinds',
  'publisher',
];
const INFRASTRUCTURE_ROLES = ['repository', 'repositories', 'adapter', 'orm-entity', 'orm-entities', 'tables', 'tasks'];
const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z0-9]+(-[a-z0-9]+)*)*\.ts$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

/** 'machines.service.ts' → 'service'; 'machine-state.service.spec.ts' → 'spec'; 'samples.ts' → undefined. */
function roleOf(file: string): string | undefined {
  const parts = path.basename(file, '.ts').split('.');
  return parts.length > 1 ? parts.at(-1) : undefined;
}

const sources = files(SRC).map((file) => ({ file: path.relative(SRC, file), text: readFileSync(file, 'utf8') }));

describe('file names (STYLE.md rule 4)', () => {
  it('are kebab-case, with a known role suffix when they have one', () => {
    const wrong = sources.filter(
      ({ file }) => !KEBAB.test(path.basename(file)) || (roleOf(file) !== undefined && !(roleOf(file)! in ROLES)),
    );
    expect(wrong.map((s) => s.file)).toEqual([]);
  });

  it('give every injectable the suffix of its role', () => {
    const wrong = sources.filter(
      ({ file, text }) => /@Injectable\(/.test(text) && !INJECTABLE_ROLES.includes(roleOf(file) ?? ''),
    );
    expect(wrong.map((s) => s.file)).toEqual([]);
  });

  it('name adapters by role, not by the library behind them', () => {
    const wrong = sources.filter(({ file, text }) => {
      const name = path.basename(file);
      const inInfrastructure = file.split(path.sep).includes('infrastructure');
      if ((inInfrastructure || /@Injectable\(/.test(text)) && /^(typeorm|sql|pg)-/.test(name)) return true;
      return inInfrastructure && !name.endsWith('.spec.ts') && !INFRASTRUCTURE_ROLES.includes(roleOf(file) ?? '');
    });
    expect(wrong.map((s) => s.file)).toEqual([]);
  });
});
