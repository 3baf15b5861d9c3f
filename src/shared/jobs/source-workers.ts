import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Worker threads load their modules with Node's own loader, which runs JavaScript only. From
 * `dist/` (npm start) every module is compiled already. When the service runs from its
 * TypeScript sources (Jest compiles them in memory, with swc), a worker first registers these
 * loader hooks: they compile `.ts` files with @swc/core, as the tests' transform does, and map
 * the sources' ESM-style `./file.js` specifiers to `./file.ts`. @swc/core is a dev dependency:
 * present wherever the sources run, never needed by the build.
 */
export function runsFromSources(moduleUrl: string): boolean {
  return moduleUrl.endsWith('.ts');
}

/** The `execArgv` of a worker started from the sources: `--import` of a module registering the hooks. */
export function sourceWorkerExecArgv(): string[] {
  const swc = pathToFileURL(createRequire(import.meta.url).resolve('@swc/core')).href;
  const hooks = `data:text/javascript,${encodeURIComponent(hooksSource(swc))}`;
  const registration = `import { register } from 'node:module'; register(${JSON.stringify(hooks)});`;
  return ['--import', `data:text/javascript,${encodeURIComponent(registration)}`];
}

/** Plain JavaScript (it runs before any compiler): the swc options are .swcrc's. */
function hooksSource(swcUrl: string): string {
  return `
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import swc from ${JSON.stringify(swcUrl)};

const OPTIONS = {
  sourceMaps: 'inline',
  module: { type: 'es6' },
  jsc: {
    target: 'es2022',
    keepClassNames: true,
    parser: { syntax: 'typescript', decorators: true, dynamicImport: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
  },
};

export async function resolve(specifier, context, nextResolve) {
  if (specifier.endsWith('.js') && !specifier.includes('node_modules') && (specifier.startsWith('file:') || (/^\\.{1,2}\\//.test(specifier) && context.parentURL?.startsWith('file:')))) {
    const url = new URL(specifier, context.parentURL);
    const source = new URL(url.href.slice(0, -3) + '.ts');
    if (!existsSync(fileURLToPath(url)) && existsSync(fileURLToPath(source))) return { url: source.href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const { code } = await swc.transform(await readFile(filename, 'utf8'), { ...OPTIONS, filename });
  return { format: 'module', source: code, shortCircuit: true };
}
`;
}
