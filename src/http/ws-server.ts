import type { Server } from 'node:http';
import type { DocumentNode, ExecutionArgs, GraphQLError, GraphQLSchema } from 'graphql';
import type { ServerOptions } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RateLimiter } from './plugins/rate-limit.js';
import { toPublicError } from './public-errors.js';
import type { Yoga } from './yoga.js';

/** How often graphql-ws pings an idle client (and drops one that stopped answering). */
export const WS_KEEPALIVE_MS = 12_000;

type Operate = NonNullable<ServerOptions['execute']>;

interface EnvelopedRoot {
  execute: Operate;
  subscribe: Operate;
}

/** What yoga's getEnveloped returns (envelop types it loosely), as graphql-js 16 has it. */
interface Enveloped extends EnvelopedRoot {
  schema: GraphQLSchema;
  contextFactory: () => Promise<unknown>;
  parse: (source: string) => DocumentNode;
  validate: (schema: GraphQLSchema, document: DocumentNode) => readonly GraphQLError[];
}

/** The Authorization a WebSocket client sends: connectionParams (browsers cannot set headers) or the upgrade request's header. */
function authorizationOf(params: Readonly<Record<string, unknown>> | undefined, header: string | undefined): string | undefined {
  const fromParams = params?.authorization ?? params?.Authorization;
  return typeof fromParams === 'string' ? fromParams : header;
}

const refusal = (error: unknown): GraphQLError[] => [
  error instanceof AppError ? error : toPublicError(error, { failsRequest: true }).error,
];

/**
 * graphql-ws on the HTTP server's /graphql path, through yoga's envelop: each operation gets
 * yoga's parse, validate, context (authentication from connectionParams or the upgrade's
 * Authorization header), execute and subscribe with every plugin that hooks them (operation
 * limits, the error envelope …), and one request of the caller's rate budget.
 */
export function attachWebSocketServer(
  server: Server,
  yoga: Yoga,
  { rateLimit, logger, maxPayload }: { rateLimit?: Pick<RateLimiter, 'spend'>; logger: Logger; maxPayload: number },
): { close(): Promise<void> } {
  // A message may be as large as a request body (MAX_BODY_BYTES), not ws's default of 100 MiB.
  const wsServer = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload });
  wsServer.on('error', (error) => logger.warn('websocket server error', { error: error.message }));
  const disposable = useServer(
    {
      execute: (args) =>
        (args.rootValue as EnvelopedRoot).execute(args) as ReturnType<NonNullable<Parameters<typeof useServer>[0]['execute']>>,
      subscribe: (args) =>
        (args.rootValue as EnvelopedRoot).subscribe(args) as ReturnType<NonNullable<Parameters<typeof useServer>[0]['subscribe']>>,
      onSubscribe: async (ctx, _id, payload) => {
        const upgrade = ctx.extra.request;
        const headers = new Headers();
        const authorization = authorizationOf(ctx.connectionParams, upgrade.headers.authorization);
        if (authorization) headers.set('authorization', authorization);
        const requestId = upgrade.headers['x-request-id'];
        if (typeof requestId === 'string') headers.set('x-request-id', requestId);
        const request = new Request(`http://localhost${yoga.graphqlEndpoint}`, { method: 'POST', headers });
        try {
          await rateLimit?.spend(request, upgrade.socket.remoteAddress);
          const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
            ...ctx,
            req: upgrade,
            socket: ctx.extra.socket,
            params: payload,
            request,
          }) as Enveloped;
          const args: ExecutionArgs = {
            schema,
            operationName: payload.operationName,
            document: parse(payload.query),
            variableValues: payload.variables,
            contextValue: await contextFactory(),
            rootValue: { execute, subscribe } satisfies EnvelopedRoot,
          };
          const errors = validate(args.schema, args.document);
          if (errors.length > 0) return [...errors];
          return args;
        } catch (error) {
          return refusal(error);
        }
      },
    },
    wsServer,
    WS_KEEPALIVE_MS,
  );
  return {
    close: async () => {
      // Every socket gets a close frame (1001 going away), so clients see a clean end, not a cut.
      for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
      await disposable.dispose();
    },
  };
}
