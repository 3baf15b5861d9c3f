import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const packageDir = (name: string) => path.dirname(require.resolve(`${name}/package.json`));

/** URL path → file on disk: GraphiQL and its dependencies are served from node_modules, never a CDN. */
export const GRAPHIQL_ASSET_PREFIX = '/graphiql-assets';
export const GRAPHIQL_ASSETS: Record<string, string> = {
  'react.production.min.js': path.join(packageDir('react'), 'umd', 'react.production.min.js'),
  'react-dom.production.min.js': path.join(packageDir('react-dom'), 'umd', 'react-dom.production.min.js'),
  'graphiql.min.js': path.join(packageDir('graphiql'), 'graphiql.min.js'),
  'graphiql.min.css': path.join(packageDir('graphiql'), 'graphiql.min.css'),
  'graphql-ws.min.js': path.join(packageDir('graphql-ws'), 'umd', 'graphql-ws.min.js'),
};
