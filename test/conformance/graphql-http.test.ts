import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

/**
 * The GraphQL-over-HTTP audits of graphql-http against the production configuration (startServer,
 * as `npm start` runs it) over a real port: every audit must be ok, warnings included.
 */
describe('GraphQL over HTTP conformance (graphql-http serverAudits)', () => {
  let server: RunningServer;

  beforeAll(async () => {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: 'memory://', LOG_LEVEL: 'silent' });
    server = await startServer(config, createLogger('silent'));
  });

  afterAll(async () => {
    await server?.close();
  });

  it('passes every audit', async () => {
    const results = await Promise.all(
      serverAudits({ url: server.url, fetchFn: fetch }).map(async (audit) => ({ audit, result: await audit.fn() })),
    );
    const notOk = results
      .filter(({ result }) => result.status !== 'ok')
      .map(({ audit, result }) => `${audit.id} ${audit.name}: ${result.status} ${'reason' in result ? result.reason : ''}`);
    expect(notOk).toEqual([]);
    expect(results.length).toBeGreaterThan(30);
  });
});
