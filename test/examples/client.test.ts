import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, createClient, demo } from '../../examples/client/client.js';
import { UiGetSessionDocument } from '../../examples/client/generated/graphql.js';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';

const TOKEN = 'cst_example-client-token';

describe('the example client (examples/client) against a real server', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: 'memory://', LOG_LEVEL: 'silent', DEMO_TOKEN: TOKEN }),
      createLogger('silent'),
    );
  });
  afterAll(async () => {
    await server?.close();
  });

  it('runs the UI flow with typed documents', async () => {
    const result = await demo(server.url, TOKEN);
    expect(result.saved!.title).toBe('Example client');
    expect(result.appended).toMatchObject({ lastSeq: 2, session: { messageCount: 2, previewText: 'How many sessions do I have?' } });
    expect(result.list!.totalCount).toBe(1);
    expect(result.list!.nodes[0]).toMatchObject({ id: result.saved!.id, usage: { totalTokens: 49, lastGenerationInputTokens: 42 } });
    expect(result.facets!.models).toEqual([{ value: 'gpt-4o', count: 1 }]);
    expect(result.detail!.transcript!.messages.map((m) => m.role)).toEqual(['USER', 'ASSISTANT']);
    expect(result.archived!.archivedAt).not.toBeNull();
  });

  it('turns the error envelope into a typed ApiError', async () => {
    const request = createClient(server.url, TOKEN);
    const error = await request(UiGetSessionDocument, { org: 'demo', workspace: 'main', id: 'abc' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', status: 422, errors: [{ loc: ['id'] }] });
  });
});
