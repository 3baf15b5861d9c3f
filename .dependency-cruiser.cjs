// The layer rules of ARCHITECTURE.md, checked in CI by `npm run layers`.
// Rules match contexts by path, so a context folder is covered as soon as it exists.
const CONTEXT = '(identity|machines|telemetry|leak-detection|access|experiments|alarms)';
const LAYERS_OUTSIDE_DOMAIN = '(application|infrastructure|presentation)';
// `domain/` is plain TypeScript: none of the frameworks, drivers or wire formats.
const FRAMEWORK_PACKAGES =
  '(^|/)node_modules/(@nestjs/[^/]+|typeorm|graphql|graphql-[^/]+|@apollo/[^/]+|class-validator|class-transformer|mqtt|aedes|pg|ioredis)/';
const TYPEORM_PACKAGES = '(^|/)node_modules/(typeorm|@nestjs/typeorm)/';
const NEST_TYPEORM_PACKAGE = '(^|/)node_modules/@nestjs/typeorm/';
// Places that may use TypeORM besides a context's infrastructure/: the data source itself,
// the shared kernel's repositories and modules (ingestion, ownership), the composition root
// (TypeOrmModule.forRoot), the entity list, tests and migrations.
const TYPEORM_ALLOWED = [
  `^src/${CONTEXT}/infrastructure/`,
  '^src/shared/database/',
  '^src/shared/[a-z-]+/[a-z-]+\\.(repository|orm-entity|module)\\.ts$',
  '^src/app\\.module\\.ts$',
  '^src/migration-cli\\.ts$',
  '^src/orm-entities\\.ts$',
  '^test/',
  '^migrations/',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-plain-typescript',
      comment: 'domain/ imports no Nest, TypeORM, GraphQL, class-validator/-transformer, MQTT or database driver.',
      severity: 'error',
      from: { path: `^src/${CONTEXT}/domain/` },
      to: { path: FRAMEWORK_PACKAGES },
    },
    {
      name: 'domain-depends-on-nothing-outer',
      comment:
        'domain/ is the centre: it imports no application/, infrastructure/, presentation/ nor a context module.',
      severity: 'error',
      from: { path: `^src/${CONTEXT}/domain/` },
      to: { path: [`^src/${CONTEXT}/${LAYERS_OUTSIDE_DOMAIN}/`, `^src/${CONTEXT}/[^/]+\\.module\\.ts$`] },
    },
    {
      name: 'application-not-to-adapters',
      comment:
        'application/ holds use cases and ports; infrastructure/ implements the ports, presentation/ calls them.',
      severity: 'error',
      from: { path: `^src/${CONTEXT}/application/` },
      to: { path: [`^src/${CONTEXT}/(infrastructure|presentation)/`, TYPEORM_PACKAGES] },
    },
    {
      name: 'typeorm-only-in-infrastructure',
      comment: 'Only infrastructure/ (and the shared data source, entity list, tests, migrations) uses TypeORM.',
      severity: 'error',
      from: { pathNot: TYPEORM_ALLOWED },
      to: { path: '(^|/)node_modules/typeorm/' },
    },
    {
      name: 'nest-typeorm-only-in-infrastructure-or-module',
      comment:
        'A context module may import @nestjs/typeorm for TypeOrmModule.forFeature; otherwise the same places as typeorm.',
      severity: 'error',
      from: { pathNot: [...TYPEORM_ALLOWED, `^src/${CONTEXT}/[^/]+\\.module\\.ts$`] },
      to: { path: NEST_TYPEORM_PACKAGE },
    },
    {
      name: 'presentation-not-to-infrastructure',
      comment: 'Resolvers and MQTT handlers call application services, never repositories or ORM entities.',
      severity: 'error',
      from: { path: `^src/${CONTEXT}/presentation/` },
      to: { path: `^src/${CONTEXT}/infrastructure/` },
    },
    {
      name: 'no-cross-context-internals',
      comment:
        'A context uses another context only through its application/ (services) and domain/ (types), never its infrastructure/ or presentation/.',
      severity: 'error',
      from: { path: `^src/${CONTEXT}/` },
      to: { path: `^src/${CONTEXT}/(infrastructure|presentation)/`, pathNot: '^src/$1/' },
    },
    {
      name: 'cross-context-module-only-from-module',
      comment:
        "Only a context's <context>.module.ts may import another context's module (to reach its exported services).",
      severity: 'error',
      from: { path: `^src/${CONTEXT}/`, pathNot: `^src/${CONTEXT}/[^/]+\\.module\\.ts$` },
      to: { path: `^src/${CONTEXT}/[^/]+\\.ts$`, pathNot: '^src/$1/' },
    },
    {
      name: 'shared-is-context-free',
      comment: 'src/shared/ is the kernel every context may use: it imports no context folder.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: [`^src/${CONTEXT}/`, '^src/(simulator|dashboard)/'] },
    },
    {
      name: 'no-circular',
      comment: 'Circular imports break ESM initialisation order (and decorator metadata) in surprising ways.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment:
        'Every import resolves; this also proves the .js → .ts resolution works, so the rules above see every edge.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage|\\.data)/' },
    // Type-only imports count too: a domain file must not even name a TypeORM type.
    tsPreCompilationDeps: true,
    // Relative imports end in `.js` (NodeNext ESM); dependency-cruiser retries them as `.ts`
    // (its enhancedResolveOptions schema has no extensionAlias), and reads paths from here.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.js', '.d.ts', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
