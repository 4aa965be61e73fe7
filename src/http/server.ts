import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { prepareDatabase } from '../db/prepare.js';
import type { Logger } from '../logger.js';
import type { LoaderOptions } from '../sessions/loaders.js';
import { commandClient } from '../db/redis.js';
import { memoryStore, readTrustedDocuments, redisStore, type PersistedQueriesOptions } from './plugins/persisted-queries.js';
import { seedDemoTenant } from '../admin/provision.js';
import { createMetricsRegistry, createStatementCounter } from './plugins/observability.js';
import { createRateLimiter } from './plugins/rate-limit.js';
import { createLive } from '../live/live.js';
import { attachWebSocketServer } from './ws-server.js';
import { buildYoga, type Yoga } from './yoga.js';

const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningServer {
  url: string;
  yoga: Yoga;
  database: Database;
  /** Stops accepting connections, lets in-flight requests finish, closes the database. */
  close(): Promise<void>;
}

/** The stores of persisted queries: APQ in Redis when REDIS_URL is set (instances agree), else in memory. */
async function persistedQueries(config: Config, logger: Logger): Promise<{ options: PersistedQueriesOptions; close: () => void }> {
  const trusted = config.persistedDocuments ? await readTrustedDocuments(config.persistedDocuments) : undefined;
  if (trusted) logger.info('trusted documents loaded', { count: trusted.size, only: config.persistedDocumentsOnly });
  if (!config.redisUrl) return { options: { store: memoryStore(), trusted, trustedOnly: config.persistedDocumentsOnly }, close: () => {} };
  // While Redis is away a look-up fails at once, and the client resends the document.
  const redis = commandClient(config.redisUrl);
  redis.on('error', () => {});
  return {
    options: { store: redisStore(redis), trusted, trustedOnly: config.persistedDocumentsOnly },
    close: () => redis.disconnect(),
  };
}

export interface ServerOptions {
  /** Only for the benchmark's N+1 baseline (scripts/bench): loaders that do not batch. */
  loaders?: LoaderOptions;
  /** Prefix of the live event bus's Redis channels (tests give each set of servers its own). */
  liveChannelPrefix?: string;
}

export async function startServer(config: Config, logger: Logger, options: ServerOptions = {}): Promise<RunningServer> {
  const metrics = createMetricsRegistry();
  const database = await prepareDatabase(config, logger, createStatementCounter(metrics));
  // GraphiQL's Authorization header: DEMO_TOKEN when that token works, otherwise a placeholder.
  let demoToken: string | undefined;
  if (database.mode === 'embedded') {
    const demo = await seedDemoTenant(database.prisma, config.demoToken);
    if (demo.state === 'minted') {
      logger.info('demo tenant ready with a new token (org "demo", workspace "main", demo@example.com, ADMIN)');
      // The secret goes to stdout once, for the person who just started the server.
      process.stdout.write(`\nDemo token (keep it; it is shown only now): ${demo.token}\n\n`);
    }
    if (demo.state === 'unusable') {
      logger.warn('DEMO_TOKEN is revoked or expired: GraphiQL is not pre-filled with it; unset DEMO_TOKEN or choose another secret');
    }
    // Only DEMO_TOKEN is offered, never a random token (that one is for the console alone).
    if (config.demoToken && (demo.state === 'minted' || demo.state === 'usable')) demoToken = config.demoToken;
  }
  const rateLimiter =
    config.rateLimitPerMinute > 0
      ? createRateLimiter({ perMinute: config.rateLimitPerMinute, redisUrl: config.redisUrl, logger })
      : undefined;
  await rateLimiter?.ready();
  const persisted = await persistedQueries(config, logger);
  const live = createLive({ logger, metrics, settings: config.live, redisUrl: config.redisUrl, channelPrefix: options.liveChannelPrefix });
  await live.hub.ready();
  const yoga = buildYoga({
    config: { ...config, demoToken },
    persistedQueries: persisted.options,
    prisma: database.prisma,
    logger,
    metrics,
    rateLimit: rateLimiter,
    loaders: options.loaders,
    live,
  });
  const server: Server = createServer((request, response) => void yoga(request, response));
  const webSockets = attachWebSocketServer(server, yoga, { rateLimit: rateLimiter, logger, maxPayload: config.maxBodyBytes });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return {
    url: `http://${host}:${port}/graphql`,
    yoga,
    database,
    close: async () => {
      // Live streams end first, cleanly (SSE gets its complete event, graphql-ws its close frame):
      // they would otherwise hold their connections open through the grace period.
      await live.hub.close();
      await webSockets.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // In-flight requests get a grace period; then whatever is left open is cut.
      const grace = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(grace);
      await rateLimiter?.close();
      persisted.close();
      await database.close();
    },
  };
}
