import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { JwtService } from '@nestjs/jwt';
import { GraphQLError, parse, type GraphQLSchema } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import type { ApolloServerPlugin } from '@apollo/server';
import { AppConfig } from '../../config/app-config.js';
import { PrincipalResolver } from '../auth/principal.js';
import { formatGraphQLError, formatGraphQLErrors, PassThroughGraphqlExceptionFilter } from './error-formatting.js';
import { authenticateConnection, buildGraphQLContext } from './graphql-context.js';
import { checkSubscriptionOperation, complexityError, depthRule, type OperationLimits } from './operation-limits.js';
import { graphiqlLandingPage } from './graphiql/graphiql-landing-page.js';
import { GraphiqlAssetsController } from './graphiql/graphiql-assets.controller.js';
import { MetricsService } from '../observability/metrics.service.js';
import { graphqlMetricsPlugin } from '../observability/graphql-metrics.plugin.js';

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
              onNext: (_ctx, _id, _payload, _args, result) =>
                result.errors?.length ? { ...result, errors: formatGraphQLErrors(result.errors) } : result,
              // Errors thrown while a subscription starts or runs (guards included). Nest's
              // option type omits onError, but hands every graphql-ws option to the server.
              ...({ onError: (_ctx, _id, _payload, errors) => formatGraphQLErrors(errors) } satisfies Pick<
                ServerOptions,
                'onError'
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
