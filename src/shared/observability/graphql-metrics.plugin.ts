import type { ApolloServerPlugin } from '@apollo/server';
import type { MetricsService } from './metrics.service.js';

/** Counts GraphQL operations (over HTTP) by type, name and outcome, with their durations. */
export function graphqlMetricsPlugin(metrics: MetricsService): ApolloServerPlugin {
  const duration = metrics.histogram(
    'plantgraph_graphql_operation_duration_seconds',
    'GraphQL operations over HTTP by type, name and outcome',
    ['type', 'name', 'outcome'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  );
  return {
    async requestDidStart() {
      const end = duration.startTimer();
      return {
        async willSendResponse({ operation, operationName, errors }) {
          end({
            type: operation?.operation ?? 'unknown',
            name: operationName ?? 'anonymous',
            outcome: errors?.length ? 'error' : 'ok',
          });
        },
      };
    },
  };
}
