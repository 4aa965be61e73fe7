import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budget } from '../support/budget.js';
import { createTenant, type Tenant } from '../support/tenant.js';
import { fuzzParameters } from '../fuzz/settings.js';
import { createLiveTestServer, type LiveTestServer, type Subscription } from './harness.js';
import { APPEND, SAVE, until } from './support.js';

/**
 * Isolation extended to live feeds, against a model independent of the server: in random sequences
 * of writes by two owners (sessions of either visibility, visibility flips, appends, archiving,
 * deletion), every member of the workspace, and a member of another workspace, receives on
 * sessionEvents exactly the events of the sessions the model says they can see at that write, in
 * commit order: nothing of a PRIVATE session but to its owner, nothing across workspaces.
 */

type Action =
  | { kind: 'save'; owner: 0 | 1; visibility: 'PRIVATE' | 'WORKSPACE' }
  | { kind: 'visibility'; session: number; visibility: 'PRIVATE' | 'WORKSPACE' }
  | { kind: 'append'; session: number }
  | { kind: 'archive'; session: number }
  | { kind: 'delete'; session: number };

const visibilityArb = fc.constantFrom<'PRIVATE' | 'WORKSPACE'>('PRIVATE', 'WORKSPACE');
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('save' as const), owner: fc.constantFrom<0 | 1>(0, 1), visibility: visibilityArb }),
  fc.record({ kind: fc.constant('visibility' as const), session: fc.nat(), visibility: visibilityArb }),
  fc.record({ kind: fc.constant('append' as const), session: fc.nat() }),
  fc.record({ kind: fc.constant('archive' as const), session: fc.nat() }),
  fc.record({ kind: fc.constant('delete' as const), session: fc.nat() }),
);

interface ModelSession {
  id: string;
  owner: 0 | 1;
  visibility: 'PRIVATE' | 'WORKSPACE';
}

const EVENTS = `subscription($org: String!, $workspace: String!) {
  sessionEvents(org: $org, workspace: $workspace, filter: { archived: ANY, includeWorkloadSessions: true }) { kind sessionId } }`;

let server: LiveTestServer;
let home: Tenant;
let elsewhere: Tenant;
beforeAll(async () => {
  server = await createLiveTestServer({ settings: { maxSubscriptionsPerToken: 100 } });
  // Members 0 and 1 write; member 2 reads. The other workspace's member listens to its own.
  home = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }, { role: 'CONTRIBUTOR' }, { role: 'READER' }]);
  elsewhere = await createTenant(server.db.database.prisma, [{ role: 'CONTRIBUTOR' }]);
}, budget(5));
afterAll(() => server.close());

describe('live isolation: sessionEvents agree with the access model', () => {
  it(
    'each subscriber gets exactly the events of the sessions it can see, in commit order',
    async () => {
      const slugs = { org: home.org, workspace: home.workspace };
      await fc.assert(
        fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: 12 }), async (actions) => {
          const feeds: Subscription<{ sessionEvents: { kind: string; sessionId: string } }>[] = [0, 1, 2].map((i) =>
            server.subscribe(home.members[i]!.token, EVENTS, slugs),
          );
          const outsider = server.subscribe<{ sessionEvents: { kind: string; sessionId: string } }>(elsewhere.members[0]!.token, EVENTS, {
            org: elsewhere.org,
            workspace: elsewhere.workspace,
          });
          await until(() => server.logger.lines.filter((l) => l.msg === 'subscription started').length >= 4, 10_000, 'the feeds');
          server.logger.lines.length = 0;
          const sessions: ModelSession[] = [];
          const expected: string[][] = [[], [], []];
          const canSee = (member: number, session: ModelSession) => session.visibility === 'WORKSPACE' || session.owner === member;
          const record = (kind: string, session: ModelSession) => {
            for (const member of [0, 1, 2]) if (canSee(member, session)) expected[member]!.push(`${kind} ${session.id}`);
          };
          const write = async (owner: number, query: string, variables: Record<string, unknown>) => {
            const result = await server.run(home.members[owner]!.token, query, { ...slugs, ...variables });
            expect(result.errors).toBeUndefined();
          };
          for (const action of actions) {
            if (action.kind === 'save') {
              const session: ModelSession = { id: randomUUID(), owner: action.owner, visibility: action.visibility };
              await write(action.owner, SAVE, { input: { id: session.id, model: 'm', visibility: action.visibility } });
              sessions.push(session);
              record('CREATED', session);
              continue;
            }
            if (sessions.length === 0) continue;
            const index = action.session % sessions.length;
            const session = sessions[index]!;
            const byOwner = (query: string, variables: Record<string, unknown> = {}) =>
              write(session.owner, query, { id: session.id, ...variables });
            if (action.kind === 'visibility') {
              await byOwner(
                `mutation($org: String!, $workspace: String!, $id: String!, $v: SessionVisibility!) {
                  updateSession(org: $org, workspace: $workspace, id: $id, input: { visibility: $v }) { id } }`,
                { v: action.visibility },
              );
              session.visibility = action.visibility;
              record('UPDATED', session);
            } else if (action.kind === 'append') {
              await byOwner(APPEND, { input: { messages: [{ role: 'USER', content: 'hi' }] } });
              record('TRANSCRIPT_APPENDED', session);
            } else if (action.kind === 'archive') {
              await byOwner(
                `mutation($org: String!, $workspace: String!, $id: String!) { archiveSession(org: $org, workspace: $workspace, id: $id) { id } }`,
              );
              record('ARCHIVED', session);
            } else {
              await byOwner(
                `mutation($org: String!, $workspace: String!, $id: String!) { deleteSession(org: $org, workspace: $workspace, id: $id) { deletedSessionId } }`,
              );
              record('DELETED', session);
              sessions.splice(index, 1);
            }
          }
          const received = (feed: (typeof feeds)[number]) =>
            feed.events.map((e) => `${e.data?.sessionEvents?.kind} ${e.data?.sessionEvents?.sessionId}`);
          await until(() => feeds.every((feed, i) => feed.events.length >= expected[i]!.length), 10_000, 'the expected events');
          // Anything that should not arrive would have arrived by now, behind what did.
          await new Promise((resolve) => setTimeout(resolve, 50));
          await Promise.all([...feeds, outsider].map((feed) => feed.cancel()));
          feeds.forEach((feed, i) => expect(received(feed), `member ${i}`).toEqual(expected[i]));
          expect(outsider.events).toEqual([]);
        }),
        fuzzParameters('live isolation', 0.3),
      );
    },
    budget(400),
  );
});
