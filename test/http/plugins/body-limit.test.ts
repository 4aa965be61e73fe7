import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildYoga, type Yoga } from '../../../src/http/yoga.js';
import { sharedTestDatabase } from '../../support/database.js';
import { memoryLogger } from '../../support/server.js';

const LIMIT = 1024;

/** A POST over a real socket, with a Content-Length or (chunked: true) in chunks without one. */
function post(
  port: number,
  body: string,
  chunked: boolean,
): Promise<{ status: number; body: { data?: unknown; errors?: { extensions: { code: string } }[] } }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };
    if (!chunked) headers['content-length'] = String(Buffer.byteLength(body));
    const req = request({ host: '127.0.0.1', port, path: '/graphql', method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as never }));
    });
    req.on('error', reject);
    if (chunked) {
      // Several writes: node sends them as chunks of a Transfer-Encoding: chunked body.
      for (let i = 0; i < body.length; i += 256) req.write(body.slice(i, i + 256));
    } else {
      req.write(body);
    }
    req.end();
  });
}

const padded = (bytes: number) => JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(bytes) } });

describe('MAX_BODY_BYTES: a body over the limit is HTTP 413 with BAD_REQUEST, however it is sent', () => {
  let yoga: Yoga;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    const { database } = await sharedTestDatabase();
    yoga = buildYoga({
      config: { graphiql: false, introspection: true, demoToken: undefined, maxBodyBytes: LIMIT },
      prisma: database.prisma,
      logger: memoryLogger(),
    });
    server = createServer((req, res) => void yoga(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('with a Content-Length: refused from the header, answered within the limit', async () => {
    const over = await post(port, padded(2 * LIMIT), false);
    expect(over.status).toBe(413);
    expect(over.body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
    const within = await post(port, padded(LIMIT / 2), false);
    expect(within.status).toBe(200);
    expect(within.body.data).toEqual({ __typename: 'Query' });
  });

  it('chunked, without a Content-Length: counted as it is read, refused past the limit', async () => {
    const over = await post(port, padded(4 * LIMIT), true);
    expect(over.status).toBe(413);
    expect(over.body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
    const within = await post(port, padded(LIMIT / 2), true);
    expect(within.status).toBe(200);
    expect(within.body.data).toEqual({ __typename: 'Query' });
  });

  it('a Content-Length that is not one number is BAD_REQUEST (a request built in process; node refuses it on the wire)', async () => {
    for (const length of ['10, 10', '-1', 'ten']) {
      const response = await yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': length },
        body: padded(10),
      });
      expect(response.status, length).toBe(400);
      const body = (await response.json()) as { errors?: { extensions: { code: string } }[] };
      expect(body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
    }
  });
});
