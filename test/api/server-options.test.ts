import { describe, expect, it } from 'vitest';
import { buildYoga } from '../../src/yoga.js';
import { sharedTestDatabase } from '../support/database.js';
import { memoryLogger } from '../support/server.js';

async function yogaWith(options: { graphiql: boolean; introspection: boolean }) {
  const { database } = await sharedTestDatabase();
  return buildYoga({ config: { ...options, demoToken: undefined }, prisma: database.prisma, logger: memoryLogger() });
}

const INTROSPECTION = JSON.stringify({ query: '{ __schema { queryType { name } } }' });

describe('server switches and request ids', () => {
  it('INTROSPECTION=false rejects introspection with BAD_REQUEST; plain queries still work', async () => {
    const yoga = await yogaWith({ graphiql: true, introspection: false });
    const post = (body: string) =>
      yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const denied = await post(INTROSPECTION);
    const body = (await denied.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]!.message).toMatch(/introspection/i);
    const plain = await post(JSON.stringify({ query: '{ __typename }' }));
    expect(await plain.json()).toEqual({ data: { __typename: 'Query' } });

    const open = await yogaWith({ graphiql: true, introspection: true });
    const allowed = await open.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: INTROSPECTION });
    expect(await allowed.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('GRAPHIQL=false serves no playground and no GraphiQL assets', async () => {
    const yoga = await yogaWith({ graphiql: false, introspection: true });
    const page = await yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('renderYogaGraphiQL');
    const asset = await yoga.fetch('http://localhost/graphiql/graphiql.css');
    expect(asset.status).toBe(404);
    const on = await yogaWith({ graphiql: true, introspection: true });
    expect(await (await on.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } })).text()).toContain('renderYogaGraphiQL');
  });

  it('returns the caller\u2019s plain X-Request-Id, or a new UUID', async () => {
    const yoga = await yogaWith({ graphiql: false, introspection: true });
    const ask = (headers: Record<string, string>) =>
      yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
    expect((await ask({ 'x-request-id': 'trace-abc.123' })).headers.get('x-request-id')).toBe('trace-abc.123');
    const generated = (await ask({ 'x-request-id': 'not ok <script>' })).headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
