import type { ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { MetricsService } from './metrics.service.js';
import { noteGraphqlErrors } from './request-log.js';

/**
 * Counts GraphQL operations (over HTTP) by type, name and outcome, with their durations, and
 * the errors answered by code; the codes also go to the request's log line.
 */
export function graphqlMetricsPlugin(metrics: MetricsService): ApolloServerPlugin<{ req?: { res?: ServerResponse } }> {
  const duration = metrics.histogram(
    'plantgraph_graphql_operation_duration_seconds',
    'GraphQL operations over HTTP by type, name and outcome',
    ['type', 'name', 'outcome'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  const errors = metrics.counter(
    'plantgraph_graphql_errors_total',
    'Errors in GraphQL answers over HTTP by extensions.code (INTERNAL_SERVER_ERROR alone is the service failing)',
    ['code'],
  );
  return {
    async requestDidStart({ contextValue }) {
      const end = duration.startTimer();
      return {
        async willSendResponse({ operation, operationName, response }) {
          const answered = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = answered.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          for (const code of codes) errors.inc({ code });
          if (contextValue.req?.res) noteGraphqlErrors(contextValue.req.res, codes);
          end({
            type: operation?.operation ?? 'unknown',
            name: operationName ?? 'anonymous',
            outcome: codes.length ? 'error' : 'ok',
          });
        },
      };
    },
  };
}
