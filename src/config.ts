import path from 'node:path';
import semver from 'semver';

/** Every setting the server reads, typed and validated in one place. */
export interface Config {
  port: number;
  host: string;
  /** PostgreSQL URL; undefined selects the embedded PGlite database. */
  databaseUrl: string | undefined;
  /** Folder of the embedded database. */
  dataDir: string;
  /** Apply pending migrations when the server starts (always on in embedded mode). */
  migrateOnStart: boolean;
  /** Embedded mode: the secret of the demo tenant's token, minted on first start. */
  demoToken: string | undefined;
  /** Serve GraphiQL to browsers at /graphql. */
  graphiql: boolean;
  /** Allow introspection queries (GraphiQL and codegen need them). */
  introspection: boolean;
  /**
   * Origins whose pages may call the API with credentials (CORS); undefined = any origin, without
   * credentials.
   */
  corsOrigins: string[] | undefined;
  logLevel: LogLevel;
  /** Lowest accepted X-Client-Version (semver); undefined = no gate. */
  minClientVersion: string | undefined;
  limits: Limits;
  /** Largest accepted request body. */
  maxBodyBytes: number;
  /** Operations one batched request (a JSON array body) may hold; 0 refuses batches. */
  maxBatchOperations: number;
  /** Trusted documents: a JSON manifest (hash → document), as graphql-codegen's client preset writes it. */
  persistedDocuments: string | undefined;
  /** Run nothing but the trusted documents (needs persistedDocuments). */
  persistedDocumentsOnly: boolean;
  /** Server processes on this host (node:cluster workers sharing the port); 1 runs the server in the started process. */
  webConcurrency: number;
  /** Execute operations with graphql-jit (compiled per document) instead of graphql-js; on unless GRAPHQL_JIT=false. */
  graphqlJit: boolean;
  /** Requests per minute per token (or client IP); 0 turns limiting off. */
  rateLimitPerMinute: number;
  /** How long a sessionFacets answer is reused by this process (0: never); its own mutations clear it at once. */
  facetsCacheSeconds: number;
  /** Shared rate-limit store; undefined keeps budgets in memory. */
  redisUrl: string | undefined;
  /** PostgreSQL: connection pool and the time the database gets before GATEWAY_TIMEOUT. */
  pool: PoolConfig;
  /** Live subscriptions (docs/api.md, Live subscriptions). */
  live: LiveSettings;
}

export interface LiveSettings {
  /** Open subscriptions per token at once (per instance). */
  maxSubscriptionsPerToken: number;
  /** How often an open feed re-checks the caller's access (token, membership, visibility). */
  recheckMs: number;
  /** Events that may wait for a slow subscriber before it is disconnected. */
  bufferEvents: number;
}

export const DEFAULT_LIVE: LiveSettings = { maxSubscriptionsPerToken: 20, recheckMs: 5_000, bufferEvents: 1_000 };

/** Operation limits, enforced before anything is resolved (README, "Limits"). */
export interface Limits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  /** Braces, brackets and parentheses inside one another, anywhere in the document. */
  maxNesting: number;
  /** Estimated cost: fields, multiplied by the page sizes of the lists they are in. */
  maxCost: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxDepth: 12,
  maxAliases: 15,
  maxTokens: 5000,
  maxDirectives: 20,
  maxNesting: 100,
  maxCost: 50_000,
};

export interface PoolConfig {
  /** Longest a statement may run (PostgreSQL's statement_timeout, and a client-side guard). */
  statementTimeoutMs: number;
  /** Longest to wait for a connection (new or from the pool). */
  connectTimeoutMs: number;
  /** Connections per server process. */
  size: number;
}

export const DEFAULT_POOL: PoolConfig = { statementTimeoutMs: 10_000, connectTimeoutMs: 5_000, size: 10 };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Readonly<Record<string, string | undefined>>;

function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${env[name]}"`);
}

/** An optional URL whose scheme must be one of `protocols` (e.g. ['postgres:', 'postgresql:']). */
function readUrl(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return undefined;
  let protocol: string;
  try {
    protocol = new URL(raw).protocol;
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(protocol)) {
    throw new ConfigError(`${name} must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL, got "${protocol}"`);
  }
  return raw;
}

function readPort(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ConfigError(`${name} must be a port number (0-65535), got "${raw}"`);
  }
  return value;
}

function readDataDir(env: Env): string {
  const raw = env.DATA_DIR?.trim() || '.data';
  return raw.startsWith('memory://') ? raw : path.resolve(raw);
}

function readMinClientVersion(env: Env): string | undefined {
  const raw = env.MIN_CLIENT_VERSION?.trim();
  if (raw === undefined || raw === '') return undefined;
  const version = semver.valid(raw.replace(/^v/i, ''));
  if (!version) throw new ConfigError(`MIN_CLIENT_VERSION must be a semantic version such as 1.4.0, got "${raw}"`);
  return version;
}

function readPositiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function readLogLevel(env: Env): LogLevel {
  const raw = (env.LOG_LEVEL?.trim().toLowerCase() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(raw)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  return raw;
}

function readDemoToken(env: Env): string | undefined {
  const raw = env.DEMO_TOKEN?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (raw.length < 16) throw new ConfigError('DEMO_TOKEN must be at least 16 characters long');
  return raw;
}

/** One origin of CORS_ORIGINS, as browsers send it in `Origin` (scheme, host, port if not the default). */
function readOrigin(raw: string): string {
  if (raw === '*') throw new ConfigError('CORS_ORIGINS lists origins; leave it unset to allow any origin (without credentials)');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`CORS_ORIGINS: "${raw}" is not an origin such as https://app.example.com`);
  }
  const onlyOrigin = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !onlyOrigin || !/^[^?#]*$/.test(raw)) {
    throw new ConfigError(`CORS_ORIGINS: "${raw}" is not an origin such as https://app.example.com (scheme, host and port only)`);
  }
  if (url.hostname.includes('*')) throw new ConfigError(`CORS_ORIGINS: "${raw}": list each origin, wildcards are not supported`);
  return url.origin;
}

function readCorsOrigins(env: Env): string[] | undefined {
  const raw = env.CORS_ORIGINS?.trim();
  if (raw === undefined || raw === '') return undefined;
  const origins = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map(readOrigin);
  if (origins.length === 0) throw new ConfigError('CORS_ORIGINS lists no origin');
  return [...new Set(origins)];
}

function readPersistedDocuments(env: Env): Pick<Config, 'persistedDocuments' | 'persistedDocumentsOnly'> {
  const raw = env.PERSISTED_DOCUMENTS?.trim();
  const persistedDocuments = raw ? path.resolve(raw) : undefined;
  const persistedDocumentsOnly = readBoolean(env, 'PERSISTED_DOCUMENTS_ONLY', false);
  if (persistedDocumentsOnly && !persistedDocuments) {
    throw new ConfigError('PERSISTED_DOCUMENTS_ONLY needs PERSISTED_DOCUMENTS, the manifest of the documents to accept');
  }
  return { persistedDocuments, persistedDocumentsOnly };
}

export const DEFAULT_FACETS_CACHE_SECONDS = 5;
const MAX_FACETS_CACHE_SECONDS = 3600;

function readFacetsCacheSeconds(env: Env): number {
  if (env.FACETS_CACHE_SECONDS?.trim() === '0') return 0;
  const seconds = readPositiveInt(env, 'FACETS_CACHE_SECONDS', DEFAULT_FACETS_CACHE_SECONDS);
  if (seconds > MAX_FACETS_CACHE_SECONDS) {
    throw new ConfigError(`FACETS_CACHE_SECONDS must be at most ${MAX_FACETS_CACHE_SECONDS}, got ${seconds}`);
  }
  return seconds;
}

/** At most this many workers: more than a host has cores only adds memory and context switches. */
export const MAX_WEB_CONCURRENCY = 64;

function readWebConcurrency(env: Env, databaseUrl: string | undefined): number {
  const workers = readPositiveInt(env, 'WEB_CONCURRENCY', 1);
  if (workers > MAX_WEB_CONCURRENCY) throw new ConfigError(`WEB_CONCURRENCY must be at most ${MAX_WEB_CONCURRENCY}, got ${workers}`);
  if (workers > 1 && databaseUrl === undefined) {
    throw new ConfigError('WEB_CONCURRENCY above 1 needs DATABASE_URL: the embedded database belongs to one process');
  }
  return workers;
}

/** Reads the configuration from the environment; throws ConfigError with a clear message. */
export function loadConfig(env: Env = process.env): Config {
  const databaseUrl = readUrl(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  return {
    port: readPort(env, 'PORT', 4000),
    host: env.HOST?.trim() || '0.0.0.0',
    databaseUrl,
    dataDir: readDataDir(env),
    migrateOnStart: databaseUrl === undefined || readBoolean(env, 'MIGRATE_ON_START', false),
    demoToken: readDemoToken(env),
    graphiql: readBoolean(env, 'GRAPHIQL', true),
    introspection: readBoolean(env, 'INTROSPECTION', true),
    corsOrigins: readCorsOrigins(env),
    logLevel: readLogLevel(env),
    webConcurrency: readWebConcurrency(env, databaseUrl),
    graphqlJit: readBoolean(env, 'GRAPHQL_JIT', true),
    minClientVersion: readMinClientVersion(env),
    limits: {
      maxDepth: readPositiveInt(env, 'MAX_DEPTH', DEFAULT_LIMITS.maxDepth),
      maxAliases: readPositiveInt(env, 'MAX_ALIASES', DEFAULT_LIMITS.maxAliases),
      maxTokens: readPositiveInt(env, 'MAX_TOKENS', DEFAULT_LIMITS.maxTokens),
      maxDirectives: readPositiveInt(env, 'MAX_DIRECTIVES', DEFAULT_LIMITS.maxDirectives),
      maxNesting: readPositiveInt(env, 'MAX_NESTING', DEFAULT_LIMITS.maxNesting),
      maxCost: readPositiveInt(env, 'MAX_COST', DEFAULT_LIMITS.maxCost),
    },
    maxBodyBytes: readPositiveInt(env, 'MAX_BODY_BYTES', 10 * 1024 * 1024),
    maxBatchOperations: env.MAX_BATCH_OPERATIONS?.trim() === '0' ? 0 : readPositiveInt(env, 'MAX_BATCH_OPERATIONS', 10),
    ...readPersistedDocuments(env),
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE?.trim() === '0' ? 0 : readPositiveInt(env, 'RATE_LIMIT_PER_MINUTE', 600),
    facetsCacheSeconds: readFacetsCacheSeconds(env),
    redisUrl: readUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    pool: {
      statementTimeoutMs: readPositiveInt(env, 'DB_STATEMENT_TIMEOUT_MS', DEFAULT_POOL.statementTimeoutMs),
      connectTimeoutMs: readPositiveInt(env, 'DB_CONNECT_TIMEOUT_MS', DEFAULT_POOL.connectTimeoutMs),
      size: readPositiveInt(env, 'DB_POOL_SIZE', DEFAULT_POOL.size),
    },
    live: {
      maxSubscriptionsPerToken: readPositiveInt(env, 'LIVE_MAX_SUBSCRIPTIONS_PER_TOKEN', DEFAULT_LIVE.maxSubscriptionsPerToken),
      recheckMs: readPositiveInt(env, 'LIVE_RECHECK_MS', DEFAULT_LIVE.recheckMs),
      bufferEvents: readPositiveInt(env, 'LIVE_BUFFER_EVENTS', DEFAULT_LIVE.bufferEvents),
    },
  };
}
