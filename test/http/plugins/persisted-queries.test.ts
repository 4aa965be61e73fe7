import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrustedDocuments } from '../../../src/http/plugins/persisted-queries.js';
import { startClientTestServer, type ClientTestServer } from '../../clients/server.js';
import { createTestServer, type TestServer } from '../../support/server.js';
import { TEST_REDIS_URL } from '../../support/redis.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const REDIS_URL = TEST_REDIS_URL;
const MANIFEST = 'examples/client/generated/persisted-documents.json';

describe('persisted queries', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer();
  });
  const apq = (hash: string, query?: string) => JSON.stringify({ query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });

  it('APQ: an unknown hash is PERSISTED_QUERY_NOT_FOUND (HTTP 404); with its document it runs and is remembered', async () => {
    const query = `query Apq${Date.now()} { __typename }`;
    const hash = sha256(query);
    const unknown = await server.post(apq(hash));
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors?.[0]).toMatchObject({
      message: 'PersistedQueryNotFound',
      extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', status: 404 },
    });
    expect((await server.post(apq(hash, query))).body.data).toEqual({ __typename: 'Query' });
    expect((await server.post(apq(hash))).body.data).toEqual({ __typename: 'Query' });
  });

  it('APQ: a hash that does not match its document, a bad hash or version is BAD_REQUEST, and nothing is remembered', async () => {
    const query = `query Mismatch${Date.now()} { __typename }`;
    const wrong = sha256('something else');
    expect((await server.post(apq(wrong, query))).body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
    expect((await server.post(apq(wrong))).body.errors?.[0]?.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await server.post(apq('xyz', query))).body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
    const v2 = JSON.stringify({ query, extensions: { persistedQuery: { version: 2, sha256Hash: sha256(query) } } });
    expect((await server.post(v2)).body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
  });

  it('APQ through Redis: a document registered on one instance runs by hash on another', async () => {
    const servers: ClientTestServer[] = [];
    try {
      for (let i = 0; i < 2; i += 1) servers.push(await startClientTestServer({ REDIS_URL }));
      const query = `query Shared${Date.now()} { __typename }`;
      const hash = sha256(query);
      const send = async (url: string, body: string) =>
        (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json() as Promise<{ data?: unknown }>;
      expect((await send(servers[0]!.server.url, apq(hash, query))).data).toEqual({ __typename: 'Query' });
      expect((await send(servers[1]!.server.url, apq(hash))).data).toEqual({ __typename: 'Query' });
    } finally {
      for (const s of servers) await s.server.close();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys('cs-apq:*');
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });

  describe('trusted documents only (PERSISTED_DOCUMENTS_ONLY)', () => {
    let only: ClientTestServer;
    beforeAll(async () => {
      only = await startClientTestServer({ PERSISTED_DOCUMENTS: MANIFEST, PERSISTED_DOCUMENTS_ONLY: 'true' });
    });
    afterAll(async () => only?.server.close());

    const send = async (body: unknown) => {
      const response = await fetch(only.server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${only.token}` },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        body: (await response.json()) as { data?: Record<string, unknown>; errors?: { extensions: { code: string } }[] },
      };
    };

    it('runs the example client’s operations by documentId or hash, and nothing else', async () => {
      const manifest = JSON.parse(await readFile(MANIFEST, 'utf8')) as Record<string, string>;
      const [documentId, document] = Object.entries(manifest).find(([, text]) => text.includes('query UiSessionFacets'))!;
      const variables = { org: only.tenant.org, workspace: only.tenant.workspace };
      const byId = await send({ documentId, variables });
      expect(byId.body.errors, JSON.stringify(byId.body)).toBeUndefined();
      expect(byId.body.data).toHaveProperty('sessionFacets');
      const byHash = await send({
        variables,
        extensions: { persistedQuery: { version: 1, sha256Hash: documentId.replace('sha256:', '') } },
      });
      expect(byHash.body.data).toHaveProperty('sessionFacets');
      // The same document sent as text is refused, as is any other, and no APQ registration happens.
      for (const query of [document, '{ __typename }']) {
        const refused = await send({ query, variables });
        expect(refused.status).toBe(403);
        expect(refused.body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
      }
      expect((await send({ documentId: 'sha256:0000', variables })).body.errors?.[0]?.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    });
  });

  it('a manifest whose document does not match its hash is refused at start', async () => {
    const manifest = JSON.parse(await readFile(MANIFEST, 'utf8')) as Record<string, string>;
    expect((await readTrustedDocuments(MANIFEST)).size).toBe(Object.keys(manifest).length);
    const dir = await mkdtemp(path.join(tmpdir(), 'cs-manifest-'));
    try {
      const [hash, document] = Object.entries(manifest)[0]!;
      const tampered = path.join(dir, 'tampered.json');
      await writeFile(tampered, JSON.stringify({ [hash]: `${document} ` }));
      await expect(readTrustedDocuments(tampered)).rejects.toThrow(/does not have that sha256/);
      await expect(startClientTestServer({ PERSISTED_DOCUMENTS: tampered })).rejects.toThrow(/does not have that sha256/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
