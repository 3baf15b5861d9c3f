import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { JwtService } from '@nestjs/jwt';
import { GraphQLError, parse, type GraphQLSchema } from 'graphql';
import type { Context as WsContext, ServerOptions } from 'graphql-ws';
import type { ApolloServerPlugin } from '@apollo/server';
import { AppConfig } from '../../config/app-config.js';
import { PrincipalResolver } from '../auth/principal.js';
import {
  formatExecutionResult,
  formatGraphQLError,
  formatGraphQLErrors,
  PassThroughGraphqlExceptionFilter,
} from './error-formatting.js';
import { authenticateConnection, buildGraphQLContext, type SocketExtra } from './graphql-context.js';
import { SharedSubscriptions } from './shared-subscriptions.js';
import { checkSubscriptionOperation, complexityError, depthRule, type OperationLimits } from './operation-limits.js';
import { graphiqlLandingPage } from './graphiql/graphiql-landing-page.js';
import { GraphiqlAssetsController } from './graphiql/graphiql-assets.controller.js';
import { MetricsService } from '../observability/metrics.service.js';
import { graphqlMetricsPlugin } from '../observability/graphql-metrics.plugin.js';

/**
 * Unsent bytes beyond which a socket misses shared subscription events: about what the
 * generic path lets queue for a slow subscriber (10,000 samples of a few hundred bytes).
 */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Refuses HTTP subscriptions and operations above the complexity limit; remembers the schema for graphql-ws. */
function limitsPlugin(limits: OperationLimits, onSchema: (schema: GraphQLSchema) => void): ApolloServerPlugin {
  return {
    async serverWillStart({ schema }) {
      onSchema(schema);
    },
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema, operation }) {
          if (operation?.operation === 'subscription')
            throw new GraphQLError('Subscriptions run over graphql-ws (ws://…/graphql), not HTTP', {
              extensions: { code: 'BAD_USER_INPUT' },
            });
          const error = complexityError(limits, schema, document, request.variables, request.operationName);
          if (error) throw error;
        },
      };
    },
  };
}

/** Shared execution of @SharedExecution() subscriptions, with its metrics. */
function sharedSubscriptions(metrics: MetricsService): SharedSubscriptions {
  const dropped = metrics.counter(
    'plantgraph_graphql_shared_events_dropped_total',
    'Subscription events not sent to sockets that could not keep up (shared execution)',
  );
  const shared = new SharedSubscriptions({
    format: formatExecutionResult,
    maxBufferedBytes: MAX_BUFFERED_BYTES,
    onDropped: () => dropped.inc(),
  });
  metrics.gauge(
    'plantgraph_graphql_shared_subscriptions',
    'Subscriptions sharing execution on this replica: groups of identical ones, and their subscribers',
    ['state'],
    function () {
      const { groups, subscribers } = shared.size();
      this.set({ state: 'groups' }, groups);
      this.set({ state: 'subscribers' }, subscribers);
    },
  );
  return shared;
}

function tryParse(query: string) {
  try {
    return parse(query);
  } catch {
    return undefined;
  }
}

/**
 * Code-first GraphQL over Apollo: one endpoint `/graphql` for queries, mutations, and
 * `graphql-ws` subscriptions (authenticated at `connection_init`), GraphiQL from local assets.
 */
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [AppConfig, JwtService, PrincipalResolver, MetricsService],
      useFactory: (
        config: AppConfig,
        jwt: JwtService,
        principals: PrincipalResolver,
        metrics: MetricsService,
      ): ApolloDriverConfig => {
        const limits = { maxDepth: config.GRAPHQL_MAX_DEPTH, maxComplexity: config.GRAPHQL_MAX_COMPLEXITY };
        let schema: GraphQLSchema | undefined;
        const shared = sharedSubscriptions(metrics);
        return {
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          buildSchemaOptions: { dateScalarMode: 'isoDate', numberScalarMode: 'float' },
          introspection: true,
          graphiql: false,
          includeStacktraceInErrorResponses: false,
          context: buildGraphQLContext,
          formatError: formatGraphQLError,
          validationRules: [depthRule(limits)],
          plugins: [limitsPlugin(limits, (s) => (schema = s)), graphqlMetricsPlugin(metrics), graphiqlLandingPage()],
          subscriptions: {
            'graphql-ws': {
              path: '/graphql',
              connectionInitWaitTimeout: 10_000,
              onConnect: authenticateConnection(jwt, principals),
              onSubscribe: (_ctx, _id, payload) => {
                const document = schema && tryParse(payload.query);
                if (!schema || !document) return; // graphql-ws reports syntax errors itself
                const errors = checkSubscriptionOperation(
                  limits,
                  schema,
                  document,
                  payload.variables ?? undefined,
                  payload.operationName,
                );
                return errors.length ? [...errors] : undefined;
              },
              onNext: (_ctx, _id, _payload, _args, result) => formatExecutionResult(result),
              // Nest's option type omits these, but hands every graphql-ws option to the server.
              ...({
                // Errors thrown while a subscription starts or runs (guards included).
                onError: (_ctx, _id, _payload, errors) => formatGraphQLErrors(errors),
                context: (ctx, id, payload) =>
                  shared.track(
                    buildGraphQLContext(ctx as WsContext<Record<string, unknown>, SocketExtra>),
                    ctx.extra.socket,
                    id,
                    payload.query,
                  ),
                subscribe: (args) => shared.subscribe(args),
              } satisfies Pick<
                ServerOptions<Record<string, unknown> | undefined, SocketExtra>,
                'onError' | 'context' | 'subscribe'
              >),
            },
          },
        };
      },
    }),
  ],
  controllers: [GraphiqlAssetsController],
  providers: [{ provide: APP_FILTER, useClass: PassThroughGraphqlExceptionFilter }],
})
export class GraphqlPlatformModule {}
