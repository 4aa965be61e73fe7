import { print, type ExecutionResult } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { loadConfig } from '../../src/config.js';
import type { LogFields, Logger } from '../../src/logger.js';
import { memoryStore } from '../../src/http/plugins/persisted-queries.js';
import { buildYoga, type Yoga } from '../../src/http/yoga.js';
import { sharedTestDatabase, type TestDatabase } from './database.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: LogFields;
}

/** A logger that keeps its lines, so tests can assert on what the server logged. */
export function memoryLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (msg: string, fields: LogFields = {}) => {
      lines.push({ level, msg, fields });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface Response<TResult> {
  status: number;
  headers: Headers;
  body: ExecutionResult<TResult> & { errors?: EnvelopeError[] };
}

export interface EnvelopeError {
  message: string;
  path?: (string | number)[];
  locations?: { line: number; column: number }[];
  extensions: {
    code: string;
    status: number;
    type: string;
    errors?: { loc: (string | number)[]; msg: string; type: string }[];
  };
}

export interface TestServer {
  yoga: Yoga;
  db: TestDatabase;
  logger: ReturnType<typeof memoryLogger>;
  /** Runs a typed operation through yoga.fetch (a real Request and Response, no socket). */
  execute<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    token?: string,
  ): Promise<Response<TResult>>;
  /** Posts a raw body (for malformed requests) with optional headers. */
  post(body: string, headers?: Record<string, string>): Promise<Response<unknown>>;
  /** The SQL statements Prisma sent while `fn` ran. */
  countStatements<T>(fn: () => Promise<T>): Promise<{ result: T; statements: string[] }>;
}

/**
 * GRAPHQL_JIT and DATALOADERS from the environment, so a suite can be rerun under the benchmark's
 * baselines (`GRAPHQL_JIT=false npx vitest run test/http/errors.test.ts` for graphql-js, `DATALOADERS=false …`
 * for loaders that do not batch); unset, the defaults.
 */
function executionSwitches() {
  const { graphqlJit } = loadConfig({ GRAPHQL_JIT: process.env.GRAPHQL_JIT });
  return { config: { graphqlJit }, loaders: { batch: process.env.DATALOADERS?.trim().toLowerCase() !== 'false' } };
}

/** Settings a test gives its server on top of the defaults. */
export interface TestServerConfig {
  facetsCacheSeconds?: number;
}

export async function createTestServer(db?: TestDatabase, overrides: TestServerConfig = {}): Promise<TestServer> {
  const database = db ?? (await sharedTestDatabase());
  const logger = memoryLogger();
  const switches = executionSwitches();
  const yoga = buildYoga({
    config: { graphiql: true, introspection: true, demoToken: undefined, ...switches.config, ...overrides },
    loaders: switches.loaders,
    // As startServer sets it up without Redis: automatic persisted queries in memory.
    persistedQueries: { store: memoryStore() },
    prisma: database.database.prisma,
    logger,
  });
  const post = async (body: string, headers: Record<string, string> = {}) => {
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
      body,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: JSON.parse(text) as Response<unknown>['body'] };
  };
  return {
    yoga,
    db: database,
    logger,
    execute: async <TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: TVariables, token?: string) =>
      (await post(
        JSON.stringify({ query: print(document), variables }),
        token ? { authorization: `Bearer ${token}` } : {},
      )) as Response<TResult>,
    post,
    countStatements: async (fn) => {
      const start = database.statements.length;
      const result = await fn();
      return { result, statements: database.statements.slice(start) };
    },
  };
}
