import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration from the environment', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: path.resolve('.data'),
      migrateOnStart: true,
      demoToken: undefined,
      graphiql: true,
      introspection: true,
      corsOrigins: undefined,
      logLevel: 'info',
      webConcurrency: 1,
      facetsCacheSeconds: 5,
      graphqlJit: true,
      minClientVersion: undefined,
      limits: { maxDepth: 12, maxAliases: 15, maxTokens: 5000, maxDirectives: 20, maxNesting: 100, maxCost: 50_000 },
      maxBodyBytes: 10 * 1024 * 1024,
      maxBatchOperations: 10,
      persistedDocuments: undefined,
      persistedDocumentsOnly: false,
      rateLimitPerMinute: 600,
      redisUrl: undefined,
      pool: { statementTimeoutMs: 10_000, connectTimeoutMs: 5_000, size: 10 },
      live: { maxSubscriptionsPerToken: 20, recheckMs: 5_000, bufferEvents: 1_000 },
    });
  });

  it('reads batching and persisted documents; the trusted-only switch needs a manifest', () => {
    expect(loadConfig({ MAX_BATCH_OPERATIONS: '0' }).maxBatchOperations).toBe(0);
    expect(loadConfig({ MAX_BATCH_OPERATIONS: '25' }).maxBatchOperations).toBe(25);
    expect(() => loadConfig({ MAX_BATCH_OPERATIONS: '-1' })).toThrow(ConfigError);
    expect(loadConfig({ PERSISTED_DOCUMENTS: 'x/manifest.json', PERSISTED_DOCUMENTS_ONLY: 'true' })).toMatchObject({
      persistedDocuments: path.resolve('x/manifest.json'),
      persistedDocumentsOnly: true,
    });
    expect(() => loadConfig({ PERSISTED_DOCUMENTS_ONLY: 'true' })).toThrow(/needs PERSISTED_DOCUMENTS/);
  });

  it('reads every variable, keeps memory:// as it is, and migrates PostgreSQL only when asked', () => {
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgresql://u@h:5432/db',
      DATA_DIR: 'memory://',
      DEMO_TOKEN: 'cst_0123456789abcdef',
      GRAPHIQL: 'off',
      INTROSPECTION: 'false',
      LOG_LEVEL: 'WARN',
      MIN_CLIENT_VERSION: 'v1.4.0',
    });
    expect(config).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      dataDir: 'memory://',
      graphiql: false,
      introspection: false,
      logLevel: 'warn',
      migrateOnStart: false,
      minClientVersion: '1.4.0',
    });
    expect(loadConfig({ DATABASE_URL: 'postgres://h/db', MIGRATE_ON_START: 'yes' }).migrateOnStart).toBe(true);
    expect(loadConfig({ DB_STATEMENT_TIMEOUT_MS: '2500', DB_CONNECT_TIMEOUT_MS: '800', DB_POOL_SIZE: '4' }).pool).toEqual({
      statementTimeoutMs: 2500,
      connectTimeoutMs: 800,
      size: 4,
    });
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0', REDIS_URL: 'redis://127.0.0.1:6379' })).toMatchObject({
      rateLimitPerMinute: 0,
      redisUrl: 'redis://127.0.0.1:6379',
    });
    expect(loadConfig({ GRAPHQL_JIT: 'on' })).toMatchObject({ graphqlJit: true });
    expect(loadConfig({ GRAPHQL_JIT: 'false' })).toMatchObject({ graphqlJit: false });
    expect(loadConfig({ FACETS_CACHE_SECONDS: '0' })).toMatchObject({ facetsCacheSeconds: 0 });
    expect(loadConfig({ WEB_CONCURRENCY: '4', DATABASE_URL: 'postgresql://h/db' })).toMatchObject({ webConcurrency: 4 });
    expect(loadConfig({ LIVE_MAX_SUBSCRIPTIONS_PER_TOKEN: '5', LIVE_RECHECK_MS: '1000', LIVE_BUFFER_EVENTS: '50' }).live).toEqual({
      maxSubscriptionsPerToken: 5,
      recheckMs: 1000,
      bufferEvents: 50,
    });
    expect(() => loadConfig({ LIVE_BUFFER_EVENTS: '0' })).toThrow(/LIVE_BUFFER_EVENTS must be a positive integer/);
    // The benchmark's N+1 baseline is no setting of the server (scripts/bench/unbatched-server.ts).
    expect(loadConfig({ DATALOADERS: 'false' })).not.toHaveProperty('dataloaders');
  });

  it('reads CORS_ORIGINS as the origins browsers send: lower-case host, no default port, no trailing slash', () => {
    expect(
      loadConfig({ CORS_ORIGINS: ' https://App.Example.com:443/ , http://localhost:5173,,https://app.example.com ' }).corsOrigins,
    ).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(loadConfig({ CORS_ORIGINS: 'http://127.0.0.1:8080' }).corsOrigins).toEqual(['http://127.0.0.1:8080']);
    expect(loadConfig({ CORS_ORIGINS: '  ' }).corsOrigins).toBeUndefined();
  });

  it('rejects bad values with a message that names the variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: '70000' }, /PORT must be a port number/],
      [{ DATABASE_URL: 'mysql://h/db' }, /DATABASE_URL must be a postgres/],
      [{ DATABASE_URL: 'not a url' }, /DATABASE_URL is not a valid URL/],
      [{ GRAPHIQL: 'maybe' }, /GRAPHIQL must be true or false/],
      [{ GRAPHQL_JIT: 'fast' }, /GRAPHQL_JIT must be true or false/],
      [{ WEB_CONCURRENCY: '2' }, /WEB_CONCURRENCY above 1 needs DATABASE_URL/],
      [{ FACETS_CACHE_SECONDS: '3601' }, /FACETS_CACHE_SECONDS must be at most 3600/],
      [{ WEB_CONCURRENCY: '0', DATABASE_URL: 'postgresql://h/db' }, /WEB_CONCURRENCY must be a positive integer/],
      [{ WEB_CONCURRENCY: '65', DATABASE_URL: 'postgresql://h/db' }, /WEB_CONCURRENCY must be at most 64/],
      [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
      [{ DEMO_TOKEN: 'short' }, /DEMO_TOKEN must be at least 16 characters/],
      [{ MIN_CLIENT_VERSION: '2.x' }, /MIN_CLIENT_VERSION must be a semantic version/],
      [{ MAX_COST: '0' }, /MAX_COST must be a positive integer/],
      [{ MAX_BODY_BYTES: '1e9x' }, /MAX_BODY_BYTES must be a positive integer/],
      [{ RATE_LIMIT_PER_MINUTE: '-5' }, /RATE_LIMIT_PER_MINUTE must be a positive integer/],
      [{ REDIS_URL: 'http://localhost' }, /REDIS_URL must be a redis/],
      [{ DB_STATEMENT_TIMEOUT_MS: '0' }, /DB_STATEMENT_TIMEOUT_MS must be a positive integer/],
      [{ CORS_ORIGINS: '*' }, /CORS_ORIGINS lists origins; leave it unset to allow any origin/],
      [{ CORS_ORIGINS: 'https://app.example.com,app.example.com' }, /CORS_ORIGINS: "app.example.com" is not an origin/],
      [{ CORS_ORIGINS: 'https://app.example.com/ui' }, /CORS_ORIGINS: "https:\/\/app.example.com\/ui" is not an origin/],
      [{ CORS_ORIGINS: 'https://app.example.com?x=1' }, /is not an origin/],
      [{ CORS_ORIGINS: 'https://app.example.com#top' }, /is not an origin/],
      [{ CORS_ORIGINS: 'https://ada@app.example.com' }, /is not an origin/],
      [{ CORS_ORIGINS: 'ftp://files.example.com' }, /is not an origin/],
      [{ CORS_ORIGINS: 'https://*.example.com' }, /wildcards are not supported/],
      [{ CORS_ORIGINS: ' , ' }, /CORS_ORIGINS lists no origin/],
    ];
    for (const [env, message] of cases) {
      expect(() => loadConfig(env)).toThrow(ConfigError);
      expect(() => loadConfig(env)).toThrow(message);
    }
  });
});
