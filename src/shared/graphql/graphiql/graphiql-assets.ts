import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** URL path → file on disk: GraphiQL and its dependencies are served from node_modules, never a CDN. */
export const GRAPHIQL_ASSET_PREFIX = '/graphiql-assets';
export const GRAPHIQL_ASSETS: Record<string, string> = {
  'react.production.min.js': require.resolve('react/umd/react.production.min.js'),
  'react-dom.production.min.js': require.resolve('react-dom/umd/react-dom.production.min.js'),
  'graphiql.min.js': path.join(path.dirname(require.resolve('graphiql/package.json')), 'graphiql.min.js'),
  'graphiql.min.css': path.join(path.dirname(require.resolve('graphiql/package.json')), 'graphiql.min.css'),
  'graphql-ws.min.js': path.join(path.dirname(require.resolve('graphql-ws/package.json')), 'umd', 'graphql-ws.min.js'),
};
