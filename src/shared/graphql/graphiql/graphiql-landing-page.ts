import type { ApolloServerPlugin } from '@apollo/server';
import { GRAPHIQL_ASSET_PREFIX } from './graphiql-assets.js';

/**
 * Apollo's landing page for GET /graphql: GraphiQL loaded from local assets. Subscriptions
 * go over graphql-ws to the same origin; the Authorization header of the operation being run
 * (GraphiQL's header editor) is sent in `connection_init`.
 */
export function graphiqlLandingPage(): ApolloServerPlugin {
  return {
    async serverWillStart() {
      return {
        async renderLandingPage() {
          return { html: PAGE };
        },
      };
    },
  };
}

const asset = (name: string) => `${GRAPHIQL_ASSET_PREFIX}/${name}`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Plantgraph · GraphiQL</title>
  <link rel="icon" href="data:," />
  <link rel="stylesheet" href="${asset('graphiql.min.css')}" />
  <style>body { margin: 0; height: 100vh; overflow: hidden; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="${asset('react.production.min.js')}"></script>
  <script src="${asset('react-dom.production.min.js')}"></script>
  <script src="${asset('graphql-ws.min.js')}"></script>
  <script src="${asset('graphiql.min.js')}"></script>
  <script>
    const httpUrl = location.origin + location.pathname;
    const wsUrl = httpUrl.replace(/^http/, 'ws');
    // GraphiQL hands each operation the headers of its tab; it clears 'graphiql:headers' from
    // localStorage when it mounts, so that key cannot be the source of the socket's token.
    let headers = {};
    const wsClient = graphqlWs.createClient({
      url: wsUrl,
      lazy: true,
      connectionParams: () => ({ authorization: headers.Authorization || headers.authorization }),
    });
    const httpAndWsFetcher = GraphiQL.createFetcher({ url: httpUrl, wsClient });
    const fetcher = (params, options) => {
      headers = (options && options.headers) || {};
      return httpAndWsFetcher(params, options);
    };
    const defaultQuery = [
      '# Welcome to Plantgraph.',
      '# 1. Log in:  mutation { login(input: { email: "…", password: "…" }) { accessToken } }',
      '# 2. Put {"Authorization": "Bearer <accessToken>"} in the Headers tab below.',
      '# 3. Query, mutate and subscribe.',
      '',
      'query { me { email displayName roles { name } permissions } }',
      '',
    ].join('\\n');
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultQuery, shouldPersistHeaders: true, isHeadersEditorEnabled: true }),
    );
  </script>
</body>
</html>`;
