import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { GraphQLSchema } from 'graphql';
import type { Context as WsContext, ServerOptions } from 'graphql-ws';
import { AppConfig } from '../../config/app-config.js';
import { AuthenticationService } from '../auth/authentication.service.js';
import { LiveSessionsService } from '../auth/live-sessions.service.js';
import {
  formatExecutionResult,
  formatGraphQLError,
  formatGraphQLErrors,
  PassThroughGraphqlExceptionFilter,
} from './error-formatting.js';
import {
  authenticateConnection,
  buildGraphQLContext,
  forgetConnection,
  watchSubscriptions,
  type SocketExtra,
} from './graphql-context.js';
import { SharedSubscriptions } from './shared-subscriptions.js';
import { OperationGuard } from './operation-guard.js';
import { OperationGuardModule } from './operation-guard.module.js';
import { graphiqlLandingPage } from './graphiql/graphiql-landing-page.js';
import { GraphiqlAssetsController } from './graphiql/graphiql-assets.controller.js';
import { MetricsService } from '../observability/metrics.service.js';
import { graphqlMetricsPlugin } from '../observability/graphql-metrics.plugin.js';

/**
 * Unsent bytes beyond which a socket misses shared subscription events: about what the
 * generic path lets queue for a slow subscriber (10,000 samples of a few hundred bytes).
 */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

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

/**
 * Code-first GraphQL over Apollo: one endpoint `/graphql` for queries, mutations, and
 * `graphql-ws` subscriptions (authenticated at `connection_init`), GraphiQL from local assets.
 */
@Module({
  imports: [
    OperationGuardModule,
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      imports: [OperationGuardModule],
      inject: [AppConfig, AuthenticationService, LiveSessionsService, MetricsService, OperationGuard],
      useFactory: (
        config: AppConfig,
        authentication: AuthenticationService,
        sessions: LiveSessionsService,
        metrics: MetricsService,
        guard: OperationGuard,
      ): ApolloDriverConfig => {
        let schema: GraphQLSchema | undefined;
        const shared = sharedSubscriptions(metrics);
        const socketGuard = guard.socketHooks(() => schema);
        return {
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          buildSchemaOptions: { dateScalarMode: 'isoDate', numberScalarMode: 'float' },
          // The guard decides who may introspect (GRAPHQL_INTROSPECTION); "did you mean…" hints follow it.
          introspection: true,
          hideSchemaDetailsFromClientErrors: config.graphqlIntrospection !== 'on',
          parseOptions: { maxTokens: config.GRAPHQL_MAX_TOKENS },
          graphiql: false,
          includeStacktraceInErrorResponses: false,
          // Nest would answer 200 even where an error sets its status (SERVICE_UNAVAILABLE: 503, Retry-After).
          preserveHttpStatusForExecutionErrors: false,
          context: buildGraphQLContext,
          formatError: formatGraphQLError,
          validationRules: guard.validationRules(),
          plugins: [guard.apolloPlugin((s) => (schema = s)), graphqlMetricsPlugin(metrics), graphiqlLandingPage()],
          subscriptions: {
            'graphql-ws': {
              path: '/graphql',
              connectionInitWaitTimeout: 10_000,
              onConnect: authenticateConnection(authentication, sessions),
              onClose: forgetConnection(sessions),
              onSubscribe: socketGuard.onSubscribe,
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
                subscribe: watchSubscriptions(sessions, (args) => shared.subscribe(args)),
                execute: socketGuard.execute,
              } satisfies Pick<
                ServerOptions<Record<string, unknown> | undefined, SocketExtra>,
                'onError' | 'context' | 'subscribe' | 'execute'
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
export class GraphqlPlatformModule implements NestModule {
  constructor(private readonly guard: OperationGuard) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(this.guard.admission).forRoutes('graphql');
  }
}
