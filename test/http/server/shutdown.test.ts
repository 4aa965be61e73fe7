import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTs, whileRunning } from '../../support/process.js';
import { PROCESS_TEST_MS } from '../../support/budget.js';

const TOKEN = 'cst_shutdown-test-demo-token';

describe('graceful shutdown', { tags: ['embedded-only'] }, () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cs-shutdown-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'on SIGTERM it stops accepting, finishes the in-flight mutation, closes the database and exits 0',
    async () => {
      const env = { DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', DEMO_TOKEN: TOKEN };
      const server = startTs('src/main.ts', env);
      const [, url] = (await server.waitFor(/GraphQL API and GraphiQL at (http:\/\/\S+)/)) as unknown as [string, string];
      const id = randomUUID();
      const body = JSON.stringify({
        query: `mutation { saveSession(org: "demo", workspace: "main", input: { id: "${id}", model: "in-flight" }) { id model } }`,
      });

      // A request the server has accepted but not yet fully received: in flight when SIGTERM lands.
      let refusedWhileDraining: unknown;
      const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, 'content-length': Buffer.byteLength(body) },
        });
        req.on('response', (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
        });
        req.on('error', reject);
        req.write(body.slice(0, 20));
        setTimeout(() => {
          server.child.kill('SIGTERM');
          setTimeout(() => {
            // Draining: the listening socket is closed, so a new request is refused...
            void fetch(url)
              .then(
                () => null,
                (error: unknown) => error,
              )
              .then((refused) => {
                refusedWhileDraining = refused;
                // ...while the accepted one is still served.
                req.end(body.slice(20));
              });
          }, 500);
        }, 300);
      });

      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text)).toEqual({ data: { saveSession: { id, model: 'in-flight' } } });
      expect(await server.exited).toBe(0);
      expect(server.output()).toMatch(/"msg":"shutting down","signal":"SIGTERM"/);
      expect(refusedWhileDraining).toBeInstanceOf(Error);

      // The mutation is durable: a new process on the same data folder finds it.
      const again = startTs('src/main.ts', { ...env, DEMO_TOKEN: '' });
      await whileRunning(again, async () => {
        const [, url2] = (await again.waitFor(/GraphQL API and GraphiQL at (http:\/\/\S+)/)) as unknown as [string, string];
        const found = await fetch(url2, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ query: `{ session(org: "demo", workspace: "main", id: "${id}") { model } }` }),
        });
        expect(await found.json()).toEqual({ data: { session: { model: 'in-flight' } } });
      });
    },
    PROCESS_TEST_MS,
  );
});
