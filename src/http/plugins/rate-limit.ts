import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { commandClient, whenReady } from '../../db/redis.js';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { bearerToken } from '../../auth/principal.js';
import { hashToken } from '../../auth/tokens.js';
import { VerifiedTokens } from '../../auth/verified-tokens.js';
import { AppError } from '../../errors.js';
import { errorFields, type Logger } from '../../logger.js';

/**
 * RATE_LIMIT_PER_MINUTE per token that authenticated successfully, per client address for every
 * other request (anonymous, or a token not verified yet): RATE_LIMITED with HTTP 429 and
 * Retry-After. In memory by default; with REDIS_URL the budget lives in Redis, so every instance
 * draws from one. If Redis is unreachable the request is served (fail open) and the outage is
 * logged; ioredis reconnects by itself and limiting resumes when Redis is back.
 */
export interface RateLimiter {
  plugin: Plugin;
  /** Spends one request of the caller's budget (graphql-ws spends one per subscribe message); RATE_LIMITED when none is left. */
  spend(request: Request, address: string | undefined): Promise<void>;
  /** Filled by authenticate (buildYoga hands it to the context); a token's own budget needs its hash in here. */
  verifiedTokens: VerifiedTokens;
  /** Resolves once the store is connected, or after `timeoutMs` (then the server starts fail-open). */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const WARN_EVERY_MS = 10_000;

/**
 * The budget key: a hash of the bearer token (never the token) once that token has authenticated
 * in this process, otherwise the client address. The check runs before authentication, so keying
 * on any token sent would hand every made-up token a fresh budget (and a Redis key).
 */
function clientKey(request: Request, address: string | undefined, verified: VerifiedTokens): string {
  const token = bearerToken(request.headers.get('authorization') ?? '');
  if (token) {
    const hash = hashToken(token);
    if (verified.has(hash)) return `t:${hash.slice(0, 32)}`;
  }
  return `ip:${address ?? 'unknown'}`;
}

function remoteAddress(serverContext: unknown): string | undefined {
  const req = (serverContext as { req?: { socket?: { remoteAddress?: string } } } | undefined)?.req;
  return req?.socket?.remoteAddress;
}

export function createRateLimiter(options: {
  perMinute: number;
  redisUrl: string | undefined;
  logger: Logger;
  keyPrefix?: string;
}): RateLimiter {
  const { perMinute, redisUrl, logger } = options;
  const keyPrefix = options.keyPrefix ?? 'cs-rate';
  let redis: Redis | undefined;
  let limiter: RateLimiterAbstract;
  if (redisUrl) {
    redis = commandClient(redisUrl);
    redis.on('error', () => {
      // Reported per request below (throttled); ioredis keeps reconnecting.
    });
    limiter = new RateLimiterRedis({ storeClient: redis, points: perMinute, duration: 60, keyPrefix });
  } else {
    limiter = new RateLimiterMemory({ points: perMinute, duration: 60, keyPrefix });
  }
  const verifiedTokens = new VerifiedTokens();
  let lastWarning = 0;

  const spend = async (key: string, points: number) => {
    try {
      await limiter.consume(key, points);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        const retryAfter = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new AppError('RATE_LIMITED', `Rate limit of ${perMinute} requests per minute exceeded; retry in ${retryAfter} s`, {
          http: { status: 429, headers: { 'Retry-After': String(retryAfter) } },
        });
      }
      if (Date.now() - lastWarning > WARN_EVERY_MS) {
        lastWarning = Date.now();
        logger.warn('rate limit store unavailable; serving without limits', errorFields(rejection));
      }
    }
  };

  const plugin: Plugin = {
    // At request parsing, which only GraphQL requests reach: probes, metrics and the GraphiQL
    // page are answered earlier and are not counted. One point before the body is read (a body
    // that does not parse costs one too), and one more per further operation of a batch.
    async onRequestParse({ request, serverContext }) {
      const key = clientKey(request, remoteAddress(serverContext), verifiedTokens);
      await spend(key, 1);
      return {
        onRequestParseDone: async ({ requestParserResult }) => {
          if (Array.isArray(requestParserResult) && requestParserResult.length > 1) await spend(key, requestParserResult.length - 1);
        },
      };
    },
  };
  return {
    plugin,
    spend: (request, address) => spend(clientKey(request, address, verifiedTokens), 1),
    verifiedTokens,
    ready: (timeoutMs = 3000) =>
      whenReady(redis, timeoutMs, () => logger.warn('rate limit store not reachable at start; serving without limits until it is')),
    close: () => {
      redis?.disconnect();
      return Promise.resolve();
    },
  };
}

/**
 * The rate limit for a path yoga's request parsing never sees: the graphql-sse protocol's endpoint
 * answers its requests itself. Each POST there (an operation, or in the distinct connections mode
 * a stream) spends one request of the caller's budget; over budget, RATE_LIMITED with HTTP 429.
 */
export function useRateLimitedPath(path: string, limiter: Pick<RateLimiter, 'spend'>): Plugin {
  return {
    async onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
      if (request.method !== 'POST' || url.pathname !== path) return;
      try {
        await limiter.spend(request, remoteAddress(serverContext));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        const { status = 429, headers = {} } = error.extensions.http ?? {};
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({ errors: [{ message: error.message, extensions: { ...error.extensions, http: undefined } }] }),
            {
              status,
              headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
            },
          ),
        );
      }
    },
  };
}
