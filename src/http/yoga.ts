import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Registry } from 'prom-client';
import { DEFAULT_FACETS_CACHE_SECONDS, DEFAULT_LIMITS, type Config } from '../config.js';
import { createContext, type Context } from '../context.js';
import { FacetsCache } from '../sessions/facets-cache.js';
import { createLive, type Live } from '../live/live.js';
import type { LoaderOptions } from '../sessions/loaders.js';
import { useFacetsInvalidation } from './plugins/facets-invalidation.js';
import { useCors } from './plugins/cors.js';
import { useJitExecution } from './plugins/jit.js';
import { useBodyLimit } from './plugins/body-limit.js';
import { useReadiness } from './plugins/readiness.js';
import { useErrorEnvelope } from './plugins/error-envelope.js';
import { toPublicError } from './public-errors.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import { errorFields, type Logger } from '../logger.js';
import { graphiqlOptions, renderLocalGraphiQL, useGraphiQLAssets } from './plugins/graphiql.js';
import { useInputGuard } from './plugins/input-guard.js';
import { useSubscriptionNeedsStream } from './plugins/subscription-transport.js';
import { useIntrospectionOff } from './plugins/introspection.js';
import { useListLimits } from './plugins/list-limits.js';
import { createMetricsRegistry, useObservability } from './plugins/observability.js';
import { useOperationLimits } from './plugins/operation-limits.js';
import { usePersistedQueries, type PersistedQueriesOptions } from './plugins/persisted-queries.js';
import { useRateLimitedPath, type RateLimiter } from './plugins/rate-limit.js';
import { requestIdOf, useRequestId } from './plugins/request-id.js';
import { useRequestChecks } from './plugins/request-checks.js';
import { useTrajectoryDownload } from './plugins/trajectory-download.js';
import { useVersionGate } from './plugins/version-gate.js';
import { schema } from '../schema/index.js';

export interface YogaDeps {
  config: Pick<Config, 'graphiql' | 'introspection' | 'demoToken'> &
    Partial<Pick<Config, 'minClientVersion' | 'limits' | 'maxBodyBytes' | 'maxBatchOperations'>> &
    Partial<Pick<Config, 'graphqlJit' | 'corsOrigins' | 'facetsCacheSeconds'>>;
  prisma: PrismaClient;
  logger: Logger;
  /** Where /metrics reads from; a new registry per server by default. */
  metrics?: Registry;
  /** Persisted queries (APQ and trusted documents); none when left out. */
  persistedQueries?: PersistedQueriesOptions;
  /** Only for the benchmark's N+1 baseline (scripts/bench): loaders that do not batch. */
  loaders?: LoaderOptions;
  /** Request budgets (startServer makes one from the config); authentication feeds its verified tokens. */
  rateLimit?: Pick<RateLimiter, 'plugin' | 'verifiedTokens' | 'spend'>;
  /** Live subscriptions (startServer makes them from the config); in process with default settings when left out. */
  live?: Live;
}

const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;
const DEFAULT_MAX_BATCH = 10;
const GRAPHQL_ENDPOINT = '/graphql';
export const GRAPHQL_SSE_ENDPOINT = '/graphql/stream';

export type Yoga = YogaServerInstance<Record<string, unknown>, Context>;

export function buildYoga({
  config,
  prisma,
  logger,
  metrics = createMetricsRegistry(),
  rateLimit,
  loaders,
  persistedQueries,
  live = createLive({ logger, metrics }),
}: YogaDeps): Yoga {
  const facetsCache = new FacetsCache(config.facetsCacheSeconds ?? DEFAULT_FACETS_CACHE_SECONDS);
  return createYoga<Record<string, unknown>, Context>({
    schema,
    context: ({ request }) =>
      createContext(
        { prisma, logger, live, loaders, verifiedTokens: rateLimit?.verifiedTokens, facetsCache },
        { requestId: requestIdOf(request), authorization: request.headers.get('authorization') },
      ),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    healthCheckEndpoint: '/health',
    landingPage: false,
    // Yoga's CORS would echo any Origin with credentials allowed: useCors below instead.
    cors: false,
    graphiql: config.graphiql ? graphiqlOptions(config.demoToken) : false,
    renderGraphiQL: renderLocalGraphiQL,
    // MAX_BODY_BYTES is enforced by useBodyLimit (below), which counts only bodies without a length.
    maxRequestBodySize: false,
    // A JSON array body runs each operation through every limit, and counts each against the rate limit.
    // Trusted documents are sent by `documentId` (GraphQL over HTTP's persisted documents).
    extraParamNames: ['documentId'],
    batching: (config.maxBatchOperations ?? DEFAULT_MAX_BATCH) > 0 ? { limit: config.maxBatchOperations ?? DEFAULT_MAX_BATCH } : false,
    // Errors that reach yoga's masking unmapped were raised before execution (the context, i.e.
    // authentication), so they fail the whole request.
    maskedErrors: { maskError: (error) => toPublicError(error, { failsRequest: true }).error },
    logging: {
      debug: (...args) => logger.debug(String(args[0])),
      info: (...args) => logger.info(String(args[0])),
      warn: (...args) => logger.warn(String(args[0])),
      // Yoga reports errors raised outside execution (context, parsing) that were masked.
      error: (...args) => logger.error('request failed', errorFields(args[0])),
    },
    plugins: [
      useCors(GRAPHQL_ENDPOINT, config.corsOrigins),
      // The graphql-sse protocol (its single-connection mode too) at /graphql/stream, rate limited
      // like /graphql; yoga serves plain SSE on /graphql itself, and graphql-ws shares /graphql
      // over WebSocket (ws-server.ts).
      ...(rateLimit ? [useRateLimitedPath(GRAPHQL_SSE_ENDPOINT, rateLimit)] : []),
      useGraphQLSSE({ endpoint: GRAPHQL_SSE_ENDPOINT }),
      useRequestId(),
      useVersionGate(config.minClientVersion),
      useRequestChecks(),
      ...(persistedQueries ? [usePersistedQueries(persistedQueries)] : []),
      ...(rateLimit ? [rateLimit.plugin] : []),
      ...useObservability(logger, metrics),
      ...(config.graphiql ? [useGraphiQLAssets()] : []),
      useTrajectoryDownload(prisma, logger, rateLimit?.verifiedTokens),
      ...useOperationLimits(config.limits ?? DEFAULT_LIMITS),
      useInputGuard(),
      useSubscriptionNeedsStream(GRAPHQL_ENDPOINT),
      useListLimits(),
      useErrorEnvelope(logger),
      useFacetsInvalidation(facetsCache),
      // After the envelope: it takes the suggestions out of the errors the envelope made.
      ...(config.introspection ? [] : useIntrospectionOff()),
      ...((config.graphqlJit ?? true) ? [useJitExecution(logger)] : []),
      useReadiness(prisma),
      // Last: it wraps whichever request parser the plugins above left in place, as yoga's own limit did.
      useBodyLimit(config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES),
    ],
  });
}
