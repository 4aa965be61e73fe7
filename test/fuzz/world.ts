import { randomUUID } from 'node:crypto';
import {
  AppendTranscriptDocument,
  ArchiveSessionDocument,
  FreezeSessionDocument,
  ListSessionsDocument,
  SaveSessionDocument,
} from '../generated/graphql.js';
import { randomHex, uuidWithPrefix } from '../support/ids.js';
import { createTestServer, type TestServer } from '../support/server.js';
import { createTenant, type Member, type Tenant } from '../support/tenant.js';
import { digestScope, type DigestScope } from './snapshot.js';

/** Who sends a fuzzed request: members of every role and token kind, strangers and broken headers. */
export const CALLERS = [
  'contributor',
  'admin',
  'reader',
  'worker',
  'service',
  'outsider',
  'anonymous',
  'unknownToken',
  'malformedHeader',
] as const;
export type Caller = (typeof CALLERS)[number];

/**
 * The data the fuzzed requests aim at: a tenant with members of every role, sessions in every
 * state (private, shared, archived, frozen, workload, two sharing an id prefix) with labels and a
 * transcript, and a second tenant whose member is an outsider here.
 */
export interface FuzzWorld {
  server: TestServer;
  tenant: Tenant;
  other: Tenant;
  /** The Authorization header each caller sends (none for `anonymous`). */
  authorization: Record<Caller, string | undefined>;
  /** Cursors made by this API for the default order, and for CREATED_AT ASC. */
  cursors: { defaultOrder: string[]; createdAtAsc: string[] };
  /** An 8-hex prefix two of the contributor's sessions share (ambiguous). */
  sharedPrefix: string;
  /** Message ids stored in the seeded transcript (appending them elsewhere is ALREADY_EXISTS). */
  messageIds: string[];
  /** The sessions seeded in the tenant (fuzzed requests may archive, freeze or delete them). */
  seededSessionIds: string[];
  userIds: string[];
  /** What the database snapshots cover: both tenants and everything their users own. */
  scope: DigestScope;
}

function expectOk(response: { body: { errors?: unknown } }, what: string): void {
  if (response.body.errors) throw new Error(`fuzz seed: ${what} failed: ${JSON.stringify(response.body.errors)}`);
}

export async function createFuzzWorld(): Promise<FuzzWorld> {
  const server = await createTestServer();
  const prisma = server.db.database.prisma;
  const tenant = await createTenant(prisma, [
    { role: 'CONTRIBUTOR' },
    { role: 'ADMIN' },
    { role: 'READER' },
    { role: 'CONTRIBUTOR', tokenKind: 'WORKER' },
    { role: 'ADMIN', tokenKind: 'SERVICE' },
  ]);
  const other = await createTenant(prisma, [{ role: 'ADMIN' }]);
  const member = (of: Tenant, i: number): Member => {
    const found = of.members[i];
    if (!found) throw new Error(`fuzz seed: no member ${i}`);
    return found;
  };
  const contributor = member(tenant, 0);
  const admin = member(tenant, 1);
  const reader = member(tenant, 2);
  const worker = member(tenant, 3);
  const service = member(tenant, 4);
  const outsider = member(other, 0);
  const ws = { org: tenant.org, workspace: tenant.workspace };

  const sharedPrefix = randomHex(8);
  const ids = {
    private: randomUUID(),
    shared: randomUUID(),
    archived: randomUUID(),
    frozen: randomUUID(),
    adminShared: randomUUID(),
    workload: randomUUID(),
    prefixA: uuidWithPrefix(sharedPrefix),
    prefixB: uuidWithPrefix(sharedPrefix),
  };
  const saves = [
    {
      token: contributor.token,
      input: {
        id: ids.private,
        model: 'gpt-4o',
        title: 'Flaky build on main',
        agent: 'coder',
        labels: [{ key: 'team', values: ['infra', 'docs team'] }],
      },
    },
    {
      token: contributor.token,
      input: { id: ids.shared, model: 'claude-3', visibility: 'WORKSPACE' as const, labels: [{ key: 'env', values: ['prod'] }] },
    },
    { token: contributor.token, input: { id: ids.archived, model: 'm', title: 'old', visibility: 'WORKSPACE' as const } },
    { token: contributor.token, input: { id: ids.frozen, model: 'm', title: 'kept for evals' } },
    {
      token: admin.token,
      input: { id: ids.adminShared, model: 'gpt-4o', visibility: 'WORKSPACE' as const, labels: [{ key: 'team', values: ['infra'] }] },
    },
    { token: service.token, input: { id: ids.workload, model: 'm', origin: 'EVAL' as const, visibility: 'WORKSPACE' as const } },
    { token: contributor.token, input: { id: ids.prefixA, model: 'm' } },
    { token: contributor.token, input: { id: ids.prefixB, model: 'm' } },
  ];
  for (const { token, input } of saves) {
    expectOk(await server.execute(SaveSessionDocument, { ...ws, input }, token), `saveSession ${input.id}`);
  }
  expectOk(
    await server.execute(
      SaveSessionDocument,
      { org: other.org, workspace: other.workspace, input: { id: randomUUID(), model: 'm', visibility: 'WORKSPACE' } },
      outsider.token,
    ),
    'saveSession (other tenant)',
  );

  const messageIds = [randomUUID(), randomUUID(), randomUUID()];
  expectOk(
    await server.execute(
      AppendTranscriptDocument,
      {
        ...ws,
        id: ids.private,
        input: {
          messages: [
            { id: messageIds[0], role: 'USER', content: 'Why is the build flaky?', metadata: { client: 'tui' } },
            {
              id: messageIds[1],
              role: 'ASSISTANT',
              content: 'Let me look.',
              toolCalls: [{ id: 'call_1', name: 'grep', arguments: '{"pattern":"flaky"}' }],
              usage: { inputTokens: 12, outputTokens: 5, costUsd: 0.0012 },
            },
            { id: messageIds[2], role: 'TOOL', content: 'no match', toolCallId: 'call_1' },
          ],
        },
      },
      contributor.token,
    ),
    'appendTranscript',
  );
  expectOk(await server.execute(ArchiveSessionDocument, { ...ws, id: ids.archived }, contributor.token), 'archiveSession');
  expectOk(await server.execute(FreezeSessionDocument, { ...ws, id: ids.frozen }, contributor.token), 'freezeSession');

  const cursorsOf = async (orderBy?: { field: 'CREATED_AT'; direction: 'ASC' }) => {
    const page = await server.execute(ListSessionsDocument, { ...ws, first: 3, orderBy }, contributor.token);
    expectOk(page, 'sessions');
    return (page.body.data?.sessions!.edges ?? []).map((edge) => edge.cursor);
  };

  const userIds = [...tenant.members, ...other.members].map((member) => member.userId);
  const workspaceIds = [tenant.workspaceId, other.workspaceId];
  return {
    server,
    tenant,
    other,
    authorization: {
      contributor: `Bearer ${contributor.token}`,
      admin: `Bearer ${admin.token}`,
      reader: `Bearer ${reader.token}`,
      worker: `Bearer ${worker.token}`,
      service: `Bearer ${service.token}`,
      outsider: `Bearer ${outsider.token}`,
      anonymous: undefined,
      unknownToken: `Bearer cst_${randomHex(43)}`,
      malformedHeader: 'Basic dXNlcjpwYXNz',
    },
    cursors: { defaultOrder: await cursorsOf(), createdAtAsc: await cursorsOf({ field: 'CREATED_AT', direction: 'ASC' }) },
    sharedPrefix,
    messageIds,
    seededSessionIds: Object.values(ids),
    userIds,
    scope: digestScope(workspaceIds, userIds),
  };
}
