import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { AuthenticationService } from '../auth/authentication.service.js';
import { DomainError } from '../errors/domain-errors.js';
import { MetricsService } from '../observability/metrics.service.js';
import { OperationGuard } from './operation-guard.js';

/**
 * Operations a client may have waiting for room in its budget: a dashboard opening with a few
 * dozen queries waits its turn; a flood beyond that is refused (TOO_MANY_REQUESTS).
 */
const MAX_WAITING_PER_CLIENT = 64;

/** The operation guard with the configured limits; callers are identified by the one authentication path. */
function operationGuard(config: AppConfig, authentication: AuthenticationService, metrics: MetricsService) {
  const guard = new OperationGuard({
    limits: {
      maxTokens: config.GRAPHQL_MAX_TOKENS,
      maxDepth: config.GRAPHQL_MAX_DEPTH,
      maxAliases: config.GRAPHQL_MAX_ALIASES,
      maxComplexity: config.GRAPHQL_MAX_COMPLEXITY,
    },
    introspection: config.graphqlIntrospection,
    perClient: { running: config.GRAPHQL_MAX_CONCURRENT_PER_CLIENT, waiting: MAX_WAITING_PER_CLIENT },
    identify: async (req) => {
      if (!req.headers.authorization) return undefined;
      try {
        // Remembered with the request: the auth guard reuses it instead of authenticating again.
        return (await authentication.principalOf(req)).id;
      } catch (error) {
        // Anonymous here: the auth guard answers a refused token, or one that cannot be checked
        // now (SERVICE_UNAVAILABLE, 503), when the operation runs.
        if (error instanceof DomainError) return undefined;
        throw error;
      }
    },
  });
  metrics.gauge(
    'plantgraph_graphql_operations_in_flight',
    "Queries and mutations running within their client's budget, and waiting for room in it",
    ['state'],
    function () {
      const { running, waiting } = guard.load();
      this.set({ state: 'running' }, running);
      this.set({ state: 'waiting' }, waiting);
    },
  );
  return guard;
}

/** The one OperationGuard: Apollo's plugin, graphql-ws's hooks and the HTTP admission share its budgets. */
@Module({
  providers: [
    { provide: OperationGuard, inject: [AppConfig, AuthenticationService, MetricsService], useFactory: operationGuard },
  ],
  exports: [OperationGuard],
})
export class OperationGuardModule {}
