import type { ApolloServerPlugin } from '@apollo/server';
import {
  execute,
  getOperationAST,
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from '@nestjs/common';
import type { IntrospectionMode } from '../../config/app-config.js';
import { ClientBudget, ClientQueueFullError } from './client-budget.js';
import { refusal } from './error-formatting.js';
import type { GraphQLRequestContext } from './graphql-context.js';
import { inputError } from './operation-inputs.js';
import { costOf, limitRules, parseOperation, type OperationLimits } from './operation-limits.js';

type OperationRequest = GraphQLRequestContext['req'];

export interface OperationGuardOptions {
  limits: OperationLimits;
  introspection: IntrospectionMode;
  /**
   * Per client: operations running at once at most, and waiting at most. Together the running
   * ones cost at most `limits.maxComplexity`, each counting at least its share of that.
   */
  perClient: { running: number; waiting: number };
  /**
   * The id of the user a request authenticates as, or undefined for an anonymous request or
   * one whose token is refused (the auth guard answers it); rejects when that cannot be told.
   */
  identify(req: OperationRequest): Promise<string | undefined>;
}

/** A caller as far as fairness and introspection go: a user, or an anonymous address. */
interface Caller {
  key: string;
  authenticated: boolean;
}

/** What an HTTP request holds of its client's budget, from admission to its answer. */
interface Hold {
  caller: Caller;
  weight: number;
  release: () => void;
  /** The response is gone: nothing is to be held any more. */
  closed?: boolean;
}

const logger = new Logger('GraphQL');

/**
 * Everything an operation must pass before it runs, the same over HTTP (an Apollo plugin)
 * and graphql-ws (its hooks): size, depth, aliases, inputs, cost, introspection. Then it
 * waits for room in its caller's budget, so that one busy client cannot starve the others.
 */
export class OperationGuard {
  private readonly budget: ClientBudget;
  /** The least an operation weighs in its client's budget: `perClient.running` of them fill it. */
  private readonly minimumWeight: number;
  /** Costs of the operations prepared over graphql-ws, for their execution. */
  private readonly socketCosts = new WeakMap<DocumentNode, number>();
  private readonly holds = new WeakMap<object, Hold>();

  constructor(private readonly options: OperationGuardOptions) {
    const { maxComplexity } = options.limits;
    this.budget = new ClientBudget({ budget: maxComplexity, waiting: options.perClient.waiting });
    this.minimumWeight = Math.ceil(maxComplexity / options.perClient.running);
  }

  /** Validation rules added to GraphQL's own. */
  validationRules() {
    return [
      ...limitRules(this.options.limits),
      ...(this.options.introspection === 'off' ? [NoSchemaIntrospectionCustomRule] : []),
    ];
  }

  /** Operations running and waiting for room, over every client. */
  load() {
    return this.budget.size();
  }

  /**
   * Express middleware for /graphql, before Apollo parses anything: the request takes its
   * client's least weight (waiting in line for it), or is refused with 429 when the client's
   * line is full; a client sending many documents only to have them refused is one client
   * among others too. The weight is given back once the response is gone.
   */
  readonly admission = (req: Request, res: Response, next: NextFunction): void => {
    void this.admit(req, res).then((admitted) => admitted && next(), next);
  };

  /**
   * Over HTTP an admitted request takes the weight of its cost once known, and gives it back
   * when answered. Refuses subscriptions and operations over the limits.
   */
  apolloPlugin(onSchema: (schema: GraphQLSchema) => void): ApolloServerPlugin<Partial<GraphQLRequestContext>> {
    return {
      serverWillStart: async ({ schema }) => onSchema(schema),
      requestDidStart: async ({ contextValue }) => {
        let hold = contextValue.req && this.holds.get(contextValue.req);
        return {
          didResolveOperation: async ({ request, document, schema, operation }) => {
            if (!operation) return; // Apollo answers an unknown operationName itself
            if (operation.operation === 'subscription')
              throw refusal('Subscriptions run over graphql-ws (ws://…/graphql), not HTTP', 'BAD_REQUEST', 400);
            // Not admitted by the middleware (another way into Apollo): it holds nothing yet.
            hold ??= { caller: await this.callerOf(contextValue.req), weight: 0, release: () => undefined };
            const cost = this.check(schema, document, operation, request.variables, hold.caller);
            if (cost instanceof GraphQLError) throw cost;
            await this.weigh(hold, cost);
          },
          willSendResponse: async () => hold?.release(),
        };
      },
    };
  }

  /**
   * graphql-ws `onSubscribe` (parses and validates, so that graphql-ws does not again) and
   * `execute` (queries and mutations over the socket hold budget like over HTTP).
   */
  socketHooks(schema: () => GraphQLSchema | undefined) {
    return {
      onSubscribe: (_ctx: unknown, _id: string, payload: SubscribePayload) => {
        const current = schema();
        return current ? this.prepare(current, payload) : undefined;
      },
      execute: async (args: ExecutionArgs): Promise<ExecutionResult> => {
        let release: () => void;
        try {
          const caller = await this.callerOf((args.contextValue as Partial<GraphQLRequestContext> | undefined)?.req);
          release = await this.acquire(
            caller,
            this.socketCosts.get(args.document) ?? this.options.limits.maxComplexity,
          );
        } catch (e) {
          const error = e instanceof Error ? e : new Error(String(e));
          return {
            errors: [error instanceof GraphQLError ? error : new GraphQLError(error.message, { originalError: error })],
          };
        }
        try {
          return await execute(args);
        } finally {
          release();
        }
      },
    };
  }

  private prepare(schema: GraphQLSchema, payload: SubscribePayload): ExecutionArgs | readonly GraphQLError[] {
    const document = parseOperation(this.options.limits, payload.query);
    if (document instanceof GraphQLError) return [document];
    const invalid = validate(schema, document, [...specifiedRules, ...this.validationRules()]);
    if (invalid.length) return invalid;
    const operation = getOperationAST(document, payload.operationName);
    if (!operation)
      return [refusal('Unable to identify the operation: give operationName', 'OPERATION_RESOLUTION_FAILURE', 400)];
    // The socket was authenticated at connection_init.
    const cost = this.check(schema, document, operation, payload.variables, { key: '', authenticated: true });
    if (cost instanceof GraphQLError) return [cost];
    this.socketCosts.set(document, cost);
    return { schema, document, operationName: payload.operationName, variableValues: payload.variables };
  }

  /** The operation's cost, or why it is refused. */
  private check(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown> | null | undefined,
    caller: Caller,
  ): number | GraphQLError {
    if (this.options.introspection === 'authenticated' && !caller.authenticated && asksForSchema(document, operation))
      return refusal(
        'Introspection needs an access token: log in and send it as "Authorization: Bearer <accessToken>"',
        'UNAUTHENTICATED',
        401,
      );
    return (
      inputError(schema, document, operation, variables ?? undefined) ??
      costOf(this.options.limits, schema, document, operation, variables ?? undefined)
    );
  }

  private async callerOf(req: OperationRequest | undefined): Promise<Caller> {
    const user = req ? await this.options.identify(req) : undefined;
    return user ? { key: `user:${user}`, authenticated: true } : { key: `address:${req?.ip}`, authenticated: false };
  }

  /** Whether the request may go on: it holds its client's least weight until its response is gone. */
  private async admit(req: Request, res: Response): Promise<boolean> {
    const hold: Hold = { caller: await this.callerOf(req), weight: this.minimumWeight, release: () => undefined };
    res.once('close', () => {
      hold.closed = true;
      hold.release();
    });
    try {
      hold.release = await this.acquire(hold.caller, 0);
    } catch (e) {
      if (!(e instanceof GraphQLError)) throw e;
      const { http: _http, ...extensions } = e.extensions;
      logger.warn({ status: 429, code: extensions.code, client: hold.caller.key }, e.message);
      res
        .status(429)
        .set('retry-after', '1')
        .json({ errors: [{ message: e.message, extensions }] });
      return false;
    }
    // The client may have left while waiting in line.
    if (hold.closed) hold.release();
    else this.holds.set(req, hold);
    return !hold.closed;
  }

  /** Makes a hold weigh what its operation costs, waiting for room when it weighs more. */
  private async weigh(hold: Hold, cost: number): Promise<void> {
    if (this.weightOf(cost) <= hold.weight) return;
    // Given back before waiting for the larger weight: two requests of a client each holding
    // the least and waiting for more would otherwise wait for each other.
    hold.release();
    hold.release = await this.acquire(hold.caller, cost);
    hold.weight = this.weightOf(cost);
    if (hold.closed) hold.release(); // the client left while waiting
  }

  /** What an operation of this cost weighs in its client's budget. */
  private weightOf(cost: number): number {
    return Math.max(cost, this.minimumWeight);
  }

  private async acquire(caller: Caller, cost: number): Promise<() => void> {
    try {
      return await this.budget.acquire(caller.key, this.weightOf(cost));
    } catch (e) {
      if (!(e instanceof ClientQueueFullError)) throw e;
      throw refusal(
        `${e.message}; retry when earlier ones have answered`,
        'TOO_MANY_REQUESTS',
        429,
        { retryAfterSeconds: 1 },
        { 'retry-after': '1' },
      );
    }
  }
}

/** `__schema` or `__type` among the operation's root fields (the only place they are valid). */
function asksForSchema(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode): boolean =>
    set.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return ['__schema', '__type'].includes(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) return false;
      seen.add(fragment.name.value);
      return visit(fragment.selectionSet);
    });
  return visit(operation.selectionSet);
}
